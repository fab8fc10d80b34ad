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
  // A connection per statement, not one held open: a kept database (never dropped) must not keep the process alive.
  const asAdmin = async (statement: string) => {
    const admin = postgres(withDatabase(baseUrl, 'postgres'), { max: 1, onnotice: () => undefined });
    try {
      await admin.unsafe(statement);
    } finally {
      await admin.end();
    }
  };
  await asAdmin(`CREATE DATABASE "${name}"`);
  const config = loadConfig(DatabaseConfig, {
    DATABASE_URL: withDatabase(baseUrl, name),
    DATABASE_POOL_SIZE: '8',
  });
  await runMigrations(config);
  return {
    config,
    drop: () => asAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

export { createSql };

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
