import type { IssueCode } from './operation-outcome';

// The one definition of "retrying the same input later can succeed". FhirError.retryable, the store's transaction
// runner (Postgres errors → FhirError 409/503) and the ingest consumer (retry the batch, or dead-letter the
// message) all ask here. Everything else about an input (bad data, a constraint it breaks) is permanent.

/** A conflict with a concurrent writer (409), or a service unavailable for now (503). */
export type RetryableStatus = 409 | 503;

export function isRetryableStatus(status: number): status is RetryableStatus {
  return status === 409 || status === 503;
}

/** How a transient database fault is reported: the status and the issue a FhirError carries. */
export interface TransientDatabaseFault {
  status: RetryableStatus;
  code: IssueCode;
  diagnostics: string;
}

const conflict = (diagnostics: string): TransientDatabaseFault => ({
  status: 409,
  code: 'conflict',
  diagnostics,
});
const timeout = (diagnostics: string): TransientDatabaseFault => ({
  status: 503,
  code: 'timeout',
  diagnostics,
});
const unavailable = (diagnostics: string): TransientDatabaseFault => ({
  status: 503,
  code: 'transient',
  diagnostics,
});

/** SQLSTATEs with an answer of their own, some outside the transient classes below. */
const SQLSTATES: Record<string, TransientDatabaseFault> = {
  '40P01': conflict('Concurrent transactions deadlocked; retry'),
  '40001': conflict('Concurrent transactions conflicted; retry'),
  '55P03': conflict('A resource is locked by another writer; retry'),
  '57014': timeout('The database statement timed out; retry later'),
  '25P03': timeout('The transaction was idle too long; retry'),
};

/**
 * SQLSTATE classes: connection exceptions (08), transaction rollbacks (40), insufficient resources (53), operator
 * intervention such as a shutdown (57) and system errors (58).
 */
const SQLSTATE_CLASSES: Record<string, TransientDatabaseFault> = {
  '08': unavailable('The database connection failed; retry later'),
  '40': conflict('The transaction was rolled back; retry'),
  '53': unavailable('The database is short of resources; retry later'),
  '57': unavailable('The database is shutting down or restarting; retry later'),
  '58': unavailable('The database had a system error; retry later'),
};

/** A Postgres SQLSTATE that means "try again", with how to report it; undefined when the input is at fault. */
export function transientSqlState(sqlState: string): TransientDatabaseFault | undefined {
  return SQLSTATES[sqlState] ?? SQLSTATE_CLASSES[sqlState.slice(0, 2)];
}

/** Node socket errors and postgres.js connection errors. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * True when retrying the same input later can succeed. Errors that say so themselves are believed (FhirError's
 * `retryable`, by its status; kafkajs's `retriable`); otherwise a network error code or a transient SQLSTATE.
 */
export function isTransientFault(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { retryable, retriable, code } = error as {
    retryable?: unknown;
    retriable?: unknown;
    code?: unknown;
  };
  // checked structurally: FhirError (operation-outcome.ts) asks this file, so it cannot be imported back here
  if (typeof retryable === 'boolean') return retryable;
  if (typeof code === 'string') {
    if (TRANSIENT_NETWORK_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return transientSqlState(code) !== undefined;
  }
  return retriable === true;
}
