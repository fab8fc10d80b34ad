import { FhirError, operationOutcome } from '@continuum/fhir';
import postgres from 'postgres';

/** Seconds a client is asked to wait after a statement timeout (the server was too busy or the query too heavy). */
export const TIMEOUT_RETRY_AFTER_SECONDS = 5;

/** Postgres failures that say "try again", not "your input is wrong". */
const TRANSIENT: Record<string, { status: number; diagnostics: string; retryAfterSeconds?: number }> = {
  '40P01': { status: 409, diagnostics: 'Concurrent transactions deadlocked; retry' },
  '40001': { status: 409, diagnostics: 'Concurrent transactions conflicted; retry' },
  '55P03': { status: 409, diagnostics: 'A resource is locked by another writer; retry' },
  '57014': {
    status: 503,
    diagnostics:
      'The database statement took longer than the server allows; retry later, or narrow the request (a search: fewer chains, _has or totals)',
    retryAfterSeconds: TIMEOUT_RETRY_AFTER_SECONDS,
  },
  '25P03': { status: 503, diagnostics: 'The transaction was idle too long; retry', retryAfterSeconds: 1 },
};

/**
 * The retryable FhirError (409, or 503 with a retry hint) a deadlock, serialization failure, lock or statement
 * timeout becomes, so the HTTP edge answers an OperationOutcome and the ingest consumer retries instead of
 * dead-lettering; undefined for any other error.
 */
export function transientFhirError(error: unknown): FhirError | undefined {
  const transient = error instanceof postgres.PostgresError ? TRANSIENT[error.code] : undefined;
  if (!transient) return undefined;
  return new FhirError(
    transient.status,
    operationOutcome([
      { code: transient.status === 409 ? 'conflict' : 'timeout', diagnostics: transient.diagnostics },
    ]),
    transient.retryAfterSeconds,
  );
}

/** Runs a read, turning a transient Postgres failure (a statement timeout above all) into its FhirError. */
export async function mappingTransientErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw transientFhirError(error) ?? error;
  }
}
