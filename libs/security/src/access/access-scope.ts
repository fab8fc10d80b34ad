import { AsyncLocalStorage } from 'node:async_hooks';
import { unauthorized } from '@continuum/fhir';
import type { AccessContext } from './access-context';

/** The request an access belongs to: what the audit names as the query. */
export interface AccessRequest {
  method: string;
  /** Path and query string as the client sent them. */
  url: string;
  /** The request's correlation id (X-Correlation-Id), named in its AuditEvents. */
  correlationId?: string;
}

interface Scope {
  access: AccessContext;
  request?: AccessRequest;
}

/**
 * The caller's access context for the work in progress, set once at the edge (after the token is validated) and
 * read by the data-access layer, so no controller or service has to remember to pass it. Absent means refused.
 */
const storage = new AsyncLocalStorage<Scope>();

export function runWithAccess<T>(
  access: AccessContext,
  request: AccessRequest | undefined,
  work: () => T,
): T {
  return storage.run({ access, request }, work);
}

/** The current caller; data access outside an authenticated scope is a 401, never an unrestricted read. */
export function currentAccess(): AccessContext {
  const scope = storage.getStore();
  if (!scope) throw unauthorized('No authenticated caller for this data access');
  return scope.access;
}

export function currentRequest(): AccessRequest | undefined {
  return storage.getStore()?.request;
}
