// Postgres persistence of FHIR resources at run time: the one door (ResourceStore) and its plain implementation, the
// module that binds it, search, scans, the outbox, the ingestion ledger and the audit trail. No TypeORM here: the
// schema (entities, migrations, data source) is `@continuum/store/schema`.
export { ResourceStore, type CheckpointedScan, type HistoryScope, type RecordSearchOptions } from './resource-store';
export { FhirStore } from './fhir-store';
export { createFhirStore, createPatientMergeService } from './fhir-store.factory';
export * from './merge';
export { StoreModule, SQL, type RecordAccess, type StoreModuleOptions } from './store.module';
export { ConsentQueries } from './consent/consent.queries';
export { PersonQueries, type PersonAcrossSources } from './identity/person.queries';
export { RestrictedPersonQueries } from './restricted/restricted-person.queries';
export { ConsentDirectiveWriter } from './consent/consent-directive.writer';
export { createSql } from './database/sql.factory';
export type { BulkEntry, BulkEntryResult } from './bulk/bulk.upserter';
export type { HistoryOptions } from './resource.reader';
export type { UpdateOptions } from './resource.writer';
export type {
  WriteContext,
  WriteResult,
  StoreOptions,
  Queryable,
  RecordView,
  ResourceChange,
} from './store.types';
export type { ChangeOperation } from './entities';
export type { CriteriaMatcher, SearchIndexPort, MatchedResource } from './store.ports';
export { etagOf, parseVersionTag, normaliseCriteria } from './conditional-criteria';
export { PostgresHealthCheck } from './database/postgres.health';
export * from './search';
export * from './ingestion';
export * from './outbox/outbox.repository';
export * from './scan/resource-source.reader';
export * from './scan/key-ranges';
export * from './audit';
export * from './views';
export * from './export';
export * from './privacy';
