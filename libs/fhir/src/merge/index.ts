export * from './patient-merge';
export * from './merge-provenance';
export * from './merge-parameters';
