import { informational, type SearchRequest } from '@continuum/fhir';
import type { FoundResource, ResourceSearcher, SearchOptions, SearchResult } from '@continuum/store';
import type { AuditRecorder, AuditTarget } from '../audit/audit.recorder';
import type { AuditEventSearch } from '../audit/audit-event.search';
import type { ConsentGate } from '../consent/consent.gate';
import type { ConsentRepository } from '../consent/consent.repository';
import { type AccessContext, AUDIT_TYPE, can } from './access-context';
import type { AccessGuardrails } from './access.guardrails';

/**
 * ResourceSearcher as the API must use it. Whatever the query (chains, `_has`, `_include`, `_revinclude`,
 * `$everything`'s compartment), a patient/ token's search runs with the compartment restriction in SQL, on the
 * matches and on every include round. Included types need read scope; consent hides objecting or opted-out
 * patients' resources; every search is audited with the patients it returned.
 */
export class SecuredSearcher {
  constructor(
    private readonly searcher: ResourceSearcher,
    private readonly guardrails: AccessGuardrails,
    private readonly consent: ConsentGate,
    private readonly consents: ConsentRepository,
    private readonly auditEvents: AuditEventSearch,
    private readonly audit: AuditRecorder,
  ) {}

  search(request: SearchRequest, options: SearchOptions = {}): Promise<SearchResult> {
    const types = request.resourceType ? [request.resourceType] : (options.types ?? request.types);
    return this.audit.audited(
      request.resourceType ? 'search-type' : 'search-system',
      async (target, access) => {
        if (types?.length) types.forEach((type) => this.guardrails.assertScope(access, type, 's'));
        else this.guardrails.assertScope(access, undefined, 's');
        if (request.resourceType === AUDIT_TYPE) return this.auditEvents.search(request);
        const result = await this.searcher.search(request, {
          ...options,
          ...this.compartment(access, options),
        });
        return this.screen(access, result, target);
      },
    );
  }

  /** A patient/ token's compartment, intersected with any the caller asked for ($everything's linked patients). */
  private compartment(access: AccessContext, options: SearchOptions): Pick<SearchOptions, 'compartment'> {
    if (!access.patientIds) return options.compartment ? { compartment: options.compartment } : {};
    const allowed = access.patientIds;
    const asked = options.compartment?.patientIds ?? allowed;
    return { compartment: { patientIds: asked.filter((id) => allowed.includes(id)) } };
  }

  /** Drops included types the caller may not read and resources consent hides; notes the patients for the audit. */
  private async screen(
    access: AccessContext,
    result: SearchResult,
    target: AuditTarget,
  ): Promise<SearchResult> {
    const included = result.included.filter((found) => can(access, found.resourceType, 'r'));
    const all = [...result.matches, ...included];
    const compartments = await this.consents.compartments(all);
    const patientsOf = (found: FoundResource) => compartments.get(`${found.resourceType}/${found.id}`) ?? [];
    const verdict = await this.consent.verdict(access, [...new Set(all.flatMap(patientsOf))]);
    const visible = (found: FoundResource) =>
      !patientsOf(found).some((patient) => verdict.hidden.has(patient));
    for (const found of all.filter(visible)) {
      patientsOf(found).forEach((patient) => target.patientIds.add(patient));
      target.resources.push(`${found.resourceType}/${found.id}/_history/${found.versionId}`);
    }
    if (!verdict.hidden.size) return { ...result, included };
    const notice = informational("Some results are not shown because of the patients' consent", 'suppressed');
    return {
      ...result,
      matches: result.matches.filter(visible),
      included: included.filter(visible),
      total: undefined, // the count would disclose what was hidden
      outcome: { ...notice, issue: [...(result.outcome?.issue ?? []), ...notice.issue] },
    };
  }
}
