export * from './view.sql-compiler';
export { ViewNotCompilable } from './fhirpath.sql-compiler';
export * from './view-sql.runner';
export { scratchViewEngine } from './testing/scratch-view.engine';
