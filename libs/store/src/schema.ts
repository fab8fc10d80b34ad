// The store's schema as TypeORM sees it: entities, migrations, the data source, the migration runner and the drift
// check. A separate entry (`@continuum/store/schema`) so that apps which only read and write FHIR resources through
// postgres.js never load TypeORM at run time; `npm run migrate`, the drift check, tests and control-table features
// import it.
export * from './entities';
export { STORE_MIGRATIONS } from './migrations';
export { createDataSource, typeOrmOptions } from './database/data-source';
export { runMigrations, findSchemaDrift } from './migration.runner';
export { AuditEventEntity } from './audit/audit-event.entity';
export { IngestedMessageEntity } from './ingestion/ingested-message.entity';
export * from './search/search-index.entities';
export { ExportJobEntity, ExportFileEntity } from './export/export-job.entities';
