import { FhirError } from '@continuum/fhir';

/**
 * Postgres SQLSTATE classes that mean "try again later": connection exceptions (08), transaction rollbacks such
 * as serialization failures and deadlocks (40), insufficient resources (53), operator intervention such as a
 * shutdown or a query cancelled by statement_timeout (57) and system errors (58).
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);
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
 * True when retrying the same input later can succeed. Everything else about a message (bad data, a constraint it
 * breaks) is permanent: such a message must be dead-lettered, or it would block its partition for ever.
 */
export function isTransientFault(error: unknown): boolean {
  if (error instanceof FhirError) return error.status === 409 || error.status === 503;
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_NETWORK_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
  }
  // kafkajs marks its own retriable errors
  return (error as { retriable?: unknown }).retriable === true;
}
