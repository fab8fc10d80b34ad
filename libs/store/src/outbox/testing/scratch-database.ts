import { DatabaseConfig, loadConfig } from '@continuum/config';
import postgres from 'postgres';
import { createSql } from '../../database/sql.factory';
import { runMigrations } from '../../migration.runner';

/**
 * A migrated database of its own for a test that consumes the shared outbox: a relay claims and deletes
 * `resource_change` rows, so it must not run against the database other suites are writing to.
 */
export async function createScratchDatabase(
  baseUrl: string,
  name: string,
): Promise<{ config: DatabaseConfig; drop: () => Promise<void> }> {
  const admin = postgres(withDatabase(baseUrl, 'postgres'), { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const config = loadConfig(DatabaseConfig, {
    DATABASE_URL: withDatabase(baseUrl, name),
    DATABASE_POOL_SIZE: '8',
  });
  await runMigrations(config);
  return {
    config,
    drop: async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

export { createSql };

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
