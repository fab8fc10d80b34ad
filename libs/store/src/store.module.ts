import { DatabaseConfig, HttpConfig } from '@continuum/config';
import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type postgres from 'postgres';
import { ConsentQueries } from './consent/consent.queries';
import { PersonQueries } from './identity/person.queries';
import { RestrictedPersonQueries } from './restricted/restricted-person.queries';
import { PostgresHealthCheck } from './database/postgres.health';
import { createSql } from './database/sql.factory';
import { FhirStore } from './fhir-store';
import { createFhirStore, createPatientMergeService } from './fhir-store.factory';
import { PatientMergeService } from './merge/patient-merge.service';
import { ResourceStore } from './resource-store';
import { ResourceSourceReader } from './scan/resource-source.reader';
import type { StoreOptions } from './store.types';

/** Injection token of the postgres.js pool (for libraries that run their own SQL, such as the audit trail). */
export const SQL = Symbol('SQL');

/**
 * Which door to the record the app's `ResourceStore` is:
 * - `unrestricted`: the plain store, for workers that serve no person (ingest, indexer, operator commands);
 * - `secured`: none from here; the app imports `SecurityModule`, which binds the secured store. An app that forgets
 *   it fails at boot (Nest cannot resolve ResourceStore), never falls back to the plain one.
 */
export type RecordAccess = 'unrestricted' | 'secured';

export type StoreModuleOptions = StoreOptions & { applicationName?: string; access: RecordAccess };

function storeProviders(options: StoreModuleOptions): Provider[] {
  const providers: Provider[] = [
    {
      provide: SQL,
      useFactory: (config: DatabaseConfig) => createSql(config, options),
      inject: [DatabaseConfig],
    },
    {
      provide: FhirStore,
      // the API's public base (when the app has one) tells local absolute references from foreign ones
      useFactory: (sql: postgres.Sql, http?: HttpConfig) =>
        createFhirStore(sql, { baseUrl: http?.fhirBaseUrl, ...options }),
      inject: [SQL, { token: HttpConfig, optional: true }],
    },
    {
      provide: PatientMergeService,
      useFactory: (sql: postgres.Sql, http?: HttpConfig) =>
        createPatientMergeService(sql, { baseUrl: http?.fhirBaseUrl, ...options }),
      inject: [SQL, { token: HttpConfig, optional: true }],
    },
    {
      provide: PostgresHealthCheck,
      useFactory: (sql: postgres.Sql) => new PostgresHealthCheck(sql),
      inject: [SQL],
    },
    { provide: ConsentQueries, useFactory: (sql: postgres.Sql) => new ConsentQueries(sql), inject: [SQL] },
    { provide: PersonQueries, useFactory: (sql: postgres.Sql) => new PersonQueries(sql), inject: [SQL] },
    {
      provide: RestrictedPersonQueries,
      useFactory: (sql: postgres.Sql) => new RestrictedPersonQueries(sql),
      inject: [SQL],
    },
    {
      provide: ResourceSourceReader,
      useFactory: (sql: postgres.Sql) => new ResourceSourceReader(sql),
      inject: [SQL],
    },
  ];
  if (options.access === 'unrestricted') providers.push({ provide: ResourceStore, useExisting: FhirStore });
  return providers;
}

const EXPORTS = [
  SQL,
  FhirStore,
  PatientMergeService,
  PostgresHealthCheck,
  ConsentQueries,
  PersonQueries,
  RestrictedPersonQueries,
  ResourceSourceReader,
];

/**
 * Provides the store (ResourceStore, when the app's access is `unrestricted`), the pool it uses, the consent
 * queries and bulk reads built on it, and its health check; needs DatabaseConfig (ContinuumConfigModule).
 * The pool is closed on shutdown.
 */
@Global()
@Module({})
export class StoreModule implements OnApplicationShutdown {
  constructor(@Inject(SQL) private readonly sql: postgres.Sql) {}

  static forRoot(options: StoreModuleOptions): DynamicModule {
    const exports = options.access === 'unrestricted' ? [...EXPORTS, ResourceStore] : EXPORTS;
    return { module: StoreModule, providers: storeProviders(options), exports };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
