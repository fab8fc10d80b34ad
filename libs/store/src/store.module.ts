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
import { PostgresHealthCheck } from './database/postgres.health';
import { createSql } from './database/sql.factory';
import { FhirStore } from './fhir-store';
import { createFhirStore } from './fhir-store.factory';
import type { StoreOptions } from './store.types';

/** Injection token of the postgres.js pool (for code that runs its own SQL, e.g. the search controller). */
export const SQL = Symbol('SQL');

type StoreModuleOptions = StoreOptions & { applicationName?: string };

function storeProviders(options: StoreModuleOptions): Provider[] {
  return [
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
      provide: PostgresHealthCheck,
      useFactory: (sql: postgres.Sql) => new PostgresHealthCheck(sql),
      inject: [SQL],
    },
  ];
}

const EXPORTS = [SQL, FhirStore, PostgresHealthCheck];

/**
 * Provides FhirStore, the pool it uses and its health check; needs DatabaseConfig (ContinuumConfigModule).
 * Import it as is for the defaults, or through forRoot to set the base URL or the size limit.
 * The pool is closed on shutdown.
 */
@Global()
@Module({ providers: storeProviders({}), exports: EXPORTS })
export class StoreModule implements OnApplicationShutdown {
  constructor(@Inject(SQL) private readonly sql: postgres.Sql) {}

  static forRoot(options: StoreModuleOptions = {}): DynamicModule {
    return { module: StoreModule, providers: storeProviders(options), exports: EXPORTS };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
