import 'reflect-metadata';
import { DatabaseConfig, loadConfig, Section } from '@continuum/config';
import { ValidateNested } from 'class-validator';
import { findSchemaDrift } from './migration.runner';

class DriftConfig {
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
}

/**
 * CI check, run against a migrated database: generating a migration from the entities must produce nothing.
 * Prints the drift (the SQL a migration would need) and exits 1 when entities and migrations disagree.
 */
async function main(): Promise<void> {
  const drift = await findSchemaDrift(loadConfig(DriftConfig).database);
  if (drift.length === 0) {
    process.stdout.write('No schema drift: entities match the migrations.\n');
    return;
  }
  process.stderr.write(
    `Schema drift: the entities need SQL no migration contains:\n${drift.map((query) => `  ${query};`).join('\n')}\n`,
  );
  process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`Drift check failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
