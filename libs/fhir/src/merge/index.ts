export * from './patient-merge';
export * from './merge-provenance';
