import type postgres from 'postgres';
import { transientFhirError } from './postgres-errors';

/**
 * Runs `work` in one transaction. A transient Postgres fault (deadlock, serialization failure, lock or statement
 * timeout, shutdown: transientSqlState) becomes a FhirError 409/503 (`retryable`), so the HTTP edge answers it
 * properly and the ingest consumer retries instead of dead-lettering.
 */
export async function inTransaction<T>(
  sql: postgres.Sql,
  work: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  try {
    return (await sql.begin(work)) as T;
  } catch (error) {
    throw transientFhirError(error) ?? error;
  }
}
