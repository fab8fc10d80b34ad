import { AsyncLocalStorage } from 'node:async_hooks';
import { unauthorized } from '@continuum/fhir';
import type { AuditedInteraction } from '../audit/audit-event.builder';
import type { AccessContext } from './access-context';

/** The request an access belongs to: what its AuditEvents name beside what the access itself touched. */
export interface AccessRequest {
  method: string;
  /** Path and query string as the client sent them. */
  url: string;
  /** The request's correlation id (X-Correlation-Id), named in its AuditEvents. */
  correlationId?: string;
  /** The interaction its method and path ask for: what an event recorded at the edge (no data access) names. */
  interaction?: AuditedInteraction;
  /** Patients the request names (path, parameters, body): recorded in every event of the request. */
  patientIds?: string[];
  /** The resource instance the path names: its patients are looked up for an event that is a refusal or failure. */
  instance?: { resourceType: string; id: string };
  /**
   * Events durably recorded for this request so far. The API edge audits a request that ends with none (refused
   * before any data access), so nothing is audited twice and nothing is left out.
   */
  audited: number;
  /**
   * Set by an HTTP edge that holds the answer's bytes until the commits handed to it are durable (the API's answer
   * gate): a success event's group commit is then handed over rather than awaited, so it overlaps serialising and
   * compressing the answer, and still no byte of the answer leaves before its AuditEvent is durable. Without it
   * (jobs, consumers, other apps) the recorder waits for the commit itself. It answers the commit handed over before
   * this one, which the recorder waits for: a streamed answer keeps at most two commits in flight.
   */
  holdAnswer?: (durable: Promise<void>) => Promise<void>;
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
