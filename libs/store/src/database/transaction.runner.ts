import { FhirError, operationOutcome, transientSqlState } from '@continuum/fhir';
import postgres from 'postgres';

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
    const transient = error instanceof postgres.PostgresError ? transientSqlState(error.code) : undefined;
    if (!transient) throw error;
    throw new FhirError(
      transient.status,
      operationOutcome([{ code: transient.code, diagnostics: transient.diagnostics }]),
    );
  }
}
