export * from './export-parameters';
