import { FhirError } from '@continuum/fhir';
import { TEST_DATABASE_URL } from '@continuum/testing';
import type postgres from 'postgres';
import { createSql } from '../database/sql.factory';
import type { FhirStore } from '../fhir-store';
import { createFhirStore } from '../fhir-store.factory';
import { runMigrations } from '../migration.runner';
import type { StoreOptions } from '../store.types';

const config = {
  url: TEST_DATABASE_URL,
  poolSize: 25,
  statementTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 60_000,
};

/**
 * A store over the test database for integration tests. Migrating is idempotent (TypeORM skips what ran), so
 * suites may call it whether or not the jest global setup already did.
 */
export async function openTestStore(
  options: StoreOptions = {},
): Promise<{ sql: postgres.Sql; store: FhirStore; close: () => Promise<void> }> {
  const sql = createSql(config, { applicationName: 'continuum-store-test' });
  // parallel jest workers would otherwise race to create the same tables
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtextextended('continuum-test-migrations', 0))`;
    await runMigrations(config);
  });
  const store = createFhirStore(sql, options);
  return { sql, store, close: () => sql.end({ timeout: 5 }) };
}

/** A random suffix so each test owns its ids and identifier values. */
export const token = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** The FhirError an action fails with; any other outcome fails the test. */
export async function failure(action: Promise<unknown>): Promise<FhirError> {
  try {
    await action;
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw error;
  }
  throw new Error('expected a FhirError');
}
