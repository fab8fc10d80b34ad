import type { DatabaseConfig } from '@continuum/config';
import { createDataSource } from './database/data-source';

/** Runs pending migrations, each in its own transaction; returns the names of those it ran. */
export async function runMigrations(config: DatabaseConfig): Promise<string[]> {
  const dataSource = createDataSource(config);
  await dataSource.initialize();
  try {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** The SQL TypeORM would generate to bring the schema in line with the entities: empty when there is no drift. */
export async function findSchemaDrift(config: DatabaseConfig): Promise<string[]> {
  const dataSource = createDataSource(config);
  await dataSource.initialize();
  try {
    const log = await dataSource.driver.createSchemaBuilder().log();
    return log.upQueries.map((query) => query.query);
  } finally {
    await dataSource.destroy();
  }
}
