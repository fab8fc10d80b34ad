import { AuditLog, ConsentQueries, type ResourceStore, RestrictedPersonQueries } from '@continuum/store';
import type postgres from 'postgres';
import { AuditRecorder } from '../audit/audit.recorder';
import { auditedPatients } from '../audit/audit-event.builder';
import { AuditEventSearch } from '../audit/audit-event.search';
import { ConsentGate } from '../consent/consent.gate';
import { AccessGuardrails } from './access.guardrails';
import { RestrictedPeople } from './restricted-people';
import { SecuredResourceStore } from './secured-resource.store';

/**
 * The secured door wired by hand, for processes that run without Nest (operator commands, benchmarks, tests): the
 * same parts SecurityModule binds, over one connection pool. The audit log is returned so its owner flushes it.
 */
export function createSecuredStore(
  sql: postgres.Sql,
  store: ResourceStore,
  options: { baseUrl: string; observer: string; maxBundleEntries?: number },
): { secured: SecuredResourceStore; auditLog: AuditLog; consents: ConsentQueries } {
  const auditLog = new AuditLog(sql, auditedPatients);
  const consents = new ConsentQueries(sql);
  const gate = new ConsentGate(consents);
  const audit = new AuditRecorder(auditLog, options.observer, async (refs) => [
    ...new Set([...(await consents.compartments(refs)).values()].flat()),
  ]);
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const secured = new SecuredResourceStore(
    store,
    new AccessGuardrails(gate, baseUrl),
    gate,
    consents,
    audit,
    new AuditEventSearch(sql),
    new RestrictedPeople(new RestrictedPersonQueries(sql), baseUrl),
    { maxBundleEntries: options.maxBundleEntries ?? 1000, expensiveSearchesPerCaller: 4 },
  );
  return { secured, auditLog, consents };
}
