import { FhirError, operationOutcome } from '@continuum/fhir';
import postgres from 'postgres';

/** Postgres failures that say "try again", not "your input is wrong": mapped to retryable FhirErrors. */
const TRANSIENT: Record<string, { status: number; diagnostics: string }> = {
  '40P01': { status: 409, diagnostics: 'Concurrent transactions deadlocked; retry' },
  '40001': { status: 409, diagnostics: 'Concurrent transactions conflicted; retry' },
  '55P03': { status: 409, diagnostics: 'A resource is locked by another writer; retry' },
  '57014': { status: 503, diagnostics: 'The database statement timed out; retry later' },
  '25P03': { status: 503, diagnostics: 'The transaction was idle too long; retry' },
};

/**
 * Runs `work` in one transaction. A deadlock, serialization failure or timeout becomes a FhirError 409/503
 * (`retryable`), so the HTTP edge answers it properly and the ingest consumer retries instead of dead-lettering.
 */
export async function inTransaction<T>(
  sql: postgres.Sql,
  work: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  try {
    return (await sql.begin(work)) as T;
  } catch (error) {
    const transient = error instanceof postgres.PostgresError ? TRANSIENT[error.code] : undefined;
    if (!transient) throw error;
    throw new FhirError(
      transient.status,
      operationOutcome([
        { code: transient.status === 409 ? 'conflict' : 'timeout', diagnostics: transient.diagnostics },
      ]),
    );
  }
}
