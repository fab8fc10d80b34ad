import 'reflect-metadata';
import { DatabaseConfig, loadConfig, Section } from '@continuum/config';
import { ValidateNested } from 'class-validator';
import { runMigrations } from './migration.runner';

class MigrateConfig {
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
}

/** `npm run migrate`: applies pending migrations to DATABASE_URL; exits non-zero with a readable reason otherwise. */
async function main(): Promise<void> {
  const { database } = loadConfig(MigrateConfig);
  const ran = await runMigrations(database);
  process.stdout.write(
    ran.length
      ? `Applied migrations:\n${ran.map((name) => `  - ${name}`).join('\n')}\n`
      : 'Database is up to date.\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`Migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
