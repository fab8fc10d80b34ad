import { createSecuredStore, runWithAccess } from '@continuum/security';
import { createFhirStore, PersonQueries } from '@continuum/store';
import type postgres from 'postgres';
import { CommissioningExtracts } from './commissioning-extract.service';
import { extractAccessFor } from './extract-access';
import { auditExtractsTo } from './extract-audit';

/**
 * The extract service for a process without Nest (the CLI, the benchmark): the secured door over the pool, and a
 * way to run work as the extract's caller (the requester, as a system client reading the pack types).
 */
export function createCommissioningExtracts(
  sql: postgres.Sql,
  options: { baseUrl: string; observer: string; clientId: string },
) {
  const store = createFhirStore(sql, { baseUrl: options.baseUrl });
  const { secured, auditLog, consents } = createSecuredStore(sql, store, options);
  const extracts = new CommissioningExtracts(
    secured,
    new PersonQueries(sql),
    consents,
    auditExtractsTo(auditLog, options.observer),
  );
  const asRequester = <T>(requester: string, work: () => Promise<T>): Promise<T> =>
    runWithAccess(extractAccessFor(requester, options.clientId), undefined, work);
  return { extracts, asRequester, flush: () => auditLog.flush() };
}
