export * from './view.sql-compiler';
export { ViewNotCompilable } from './fhirpath.sql-compiler';
export * from './view-sql.runner';
export { scratchResources, scratchViewEngine, type ScratchResources } from './testing/scratch-view.engine';
export * from './stored-view.runner';
