// Postgres persistence of FHIR resources: the store apps call, its schema and migrations, the outbox reader.
export { FhirStore } from './fhir-store';
export { createFhirStore } from './fhir-store.factory';
export { StoreModule, SQL } from './store.module';
export { createSql } from './database/sql.factory';
export { createDataSource, typeOrmOptions } from './database/data-source';
export { runMigrations, findSchemaDrift } from './migration.runner';
export { ResourceChangeReader } from './outbox/resource-change.reader';
export type { ResourceChange, ChangeCursor } from './outbox/resource-change.reader';
export type { BulkEntry, BulkEntryResult } from './bulk/bulk.upserter';
export type { HistoryOptions } from './resource.reader';
export type { UpdateOptions } from './resource.writer';
export type { WriteContext, WriteResult, StoreOptions, Queryable } from './store.types';
export type { CriteriaMatcher, SearchIndexPort, IndexEntry } from './store.ports';
export { etagOf, parseVersionTag, normaliseCriteria } from './conditional-criteria';
export * from './entities';
export { STORE_MIGRATIONS } from './migrations';
export { PostgresHealthCheck } from './database/postgres.health';
export * from './search';
