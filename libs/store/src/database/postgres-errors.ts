import { FhirError, operationOutcome, transientSqlState } from '@continuum/fhir';
import postgres from 'postgres';

/** Seconds a client is asked to wait after a statement timeout (the server was too busy or the query too heavy). */
export const TIMEOUT_RETRY_AFTER_SECONDS = 5;

/**
 * The retryable FhirError (409, or 503 with a retry hint) a transient Postgres failure becomes (the rules are
 * libs/fhir's transient-fault.ts), so the HTTP edge answers an OperationOutcome and the ingest consumer retries
 * instead of dead-lettering; undefined for any other error.
 */
export function transientFhirError(error: unknown): FhirError | undefined {
  const transient = error instanceof postgres.PostgresError ? transientSqlState(error.code) : undefined;
  if (!transient) return undefined;
  const retryAfter =
    transient.status !== 503 ? undefined : transient.code === 'timeout' ? TIMEOUT_RETRY_AFTER_SECONDS : 1;
  return new FhirError(
    transient.status,
    operationOutcome([{ code: transient.code, diagnostics: transient.diagnostics }]),
    retryAfter,
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
