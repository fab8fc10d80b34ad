import type { DatabaseConfig } from '@continuum/config';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../database/data-source';
import { IdentityLinks } from './identity-links.repository';
import { IdentityInitialLoad } from './identity.initial-load';
import { IdentityLinker, type LinkerOptions } from './identity.linker';
import { IDENTITY_ENTITIES } from './identity.entities';

/**
 * The identity tables' TypeORM data source, initialised, for code outside Nest (commands, benchmarks, tests):
 * the identity entities only and no migrations (the schema comes from `npm run migrate`). Nest apps use
 * IdentityStoreModule instead.
 */
export async function openIdentityDataSource(config: DatabaseConfig): Promise<DataSource> {
  const dataSource = new DataSource({
    ...typeOrmOptions(config),
    entities: IDENTITY_ENTITIES,
    migrations: [],
    extra: { max: config.poolSize, statement_timeout: config.statementTimeoutMs },
  });
  await dataSource.initialize();
  return dataSource;
}

/** The master patient index over its own data source: links, linker, and `close()` when done. */
export async function openIdentityIndex(config: DatabaseConfig, options: LinkerOptions = {}) {
  const dataSource = await openIdentityDataSource(config);
  const links = new IdentityLinks(dataSource);
  return {
    dataSource,
    links,
    linker: new IdentityLinker(dataSource, links, options),
    initialLoad: new IdentityInitialLoad(dataSource, links, options),
    close: () => dataSource.destroy(),
  };
}
