import type { DatabaseConfig } from '@continuum/config';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { STORE_ENTITIES } from '../entities';
import { STORE_MIGRATIONS } from '../migrations';

/** TypeORM options shared by `npm run migrate`, the drift check and the API's TypeOrmModule. Never synchronize. */
export function typeOrmOptions(config: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.url,
    entities: STORE_ENTITIES,
    migrations: STORE_MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    extra: { max: 2, statement_timeout: config.statementTimeoutMs },
  };
}

export function createDataSource(config: DatabaseConfig): DataSource {
  return new DataSource(typeOrmOptions(config));
}
