import { forbidden, notFound, type SearchRequest } from '@continuum/fhir';
import type {
  HistoryOptions,
  HistoryScope,
  RecordSearchOptions,
  ResourceStore,
  ScannedResource,
  ScanOptions,
  SearchResult,
  UpdateOptions,
  WriteContext,
  WriteResult,
} from '@continuum/store';
import type { Operation } from 'fast-json-patch';
import type { Bundle, Resource } from 'fhir/r4';
import type postgres from 'postgres';
import type { AuditRecorder, AuditTarget } from '../audit/audit.recorder';
import type { AuditEventSearch } from '../audit/audit-event.search';
import type { ConsentGate } from '../consent/consent.gate';
import type { Interaction } from '../scopes/smart-scope.parser';
import { type AccessContext, AUDIT_TYPE, can } from './access-context';
import type { AccessGuardrails } from './access.guardrails';
import { bundleInteractions } from './bundle-interactions';
import { SearchConcurrencyLimiter } from './search-concurrency';

export interface SecuredStoreOptions {
  maxBundleEntries: number;
  /** Expensive searches (search-concurrency.ts) one caller may run at once; more answer 429. */
  expensiveSearchesPerCaller: number;
}

/**
 * The secured door to the record, for everything that serves a person (the FHIR API, the portal, exports): the
 * plain store's interactions, each checked against the current caller (scopes, patient compartment, consent and
 * opt-out) and audited with the patients it touched. Whatever the query (chains, `_has`, `_include`,
 * `_revinclude`, `$everything`'s compartment, a scan), a patient/ token's access runs with its compartment
 * restriction in SQL. Single writes are audited inside their own transaction; reads, refusals and bundles before
 * the caller is answered (docs/security.md explains the gap this leaves).
 */
export class SecuredResourceStore implements ResourceStore {
  constructor(
    private readonly store: ResourceStore,
    private readonly guardrails: AccessGuardrails,
    private readonly consent: ConsentGate,
    private readonly audit: AuditRecorder,
    private readonly auditEvents: AuditEventSearch,
    private readonly options: SecuredStoreOptions,
  ) {
    this.expensiveSearches = new SearchConcurrencyLimiter(options.expensiveSearchesPerCaller);
  }

  private readonly expensiveSearches: SearchConcurrencyLimiter;

  read<T extends Resource = Resource>(resourceType: string, id: string): Promise<T> {
    return this.audit.audited('read', async (target, access) => {
      this.guardrails.assertScope(access, resourceType, 'r');
      target.resources.push(`${resourceType}/${id}`);
      if (resourceType === AUDIT_TYPE) return (await this.auditEvents.read(id)) as Resource as T;
      const resource = await this.store.read<T>(resourceType, id);
      await this.guardrails.assertVisible(access, resource, target);
      return resource;
    });
  }

  vread<T extends Resource = Resource>(
    resourceType: string,
    id: string,
    versionId: string | number,
  ): Promise<T> {
    return this.audit.audited('vread', async (target, access) => {
      this.guardrails.assertScope(access, resourceType, 'r');
      target.resources.push(`${resourceType}/${id}/_history/${versionId}`);
      if (resourceType === AUDIT_TYPE && String(versionId) === '1')
        return (await this.auditEvents.read(id)) as Resource as T;
      const resource = await this.store.vread<T>(resourceType, id, versionId);
      await this.guardrails.assertVisible(access, resource, target);
      return resource;
    });
  }

  create<T extends Resource>(
    resource: T,
    context: WriteContext = {},
    options: { ifNoneExist?: string } = {},
  ): Promise<WriteResult<T>> {
    return this.write('create', resource.resourceType, 'c', context, async (target, access, audited) => {
      if (options.ifNoneExist) this.guardrails.assertUnrestricted(access, 'Conditional create');
      this.guardrails.assertWritable(access, resource, target);
      return this.store.create(resource, audited, options);
    });
  }

  update<T extends Resource>(
    resource: T,
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult<T>> {
    return this.write('update', resource.resourceType, 'u', context, async (target, access, audited) => {
      this.guardrails.assertWritable(access, resource, target);
      await this.assertCurrentVisible(access, resource.resourceType, resource.id ?? '', target);
      return this.store.update(resource, audited, options);
    });
  }

  conditionalUpdate<T extends Resource>(
    resource: T,
    criteria: string,
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult<T>> {
    return this.write('update', resource.resourceType, 'u', context, async (_target, access, audited) => {
      this.guardrails.assertUnrestricted(access, 'Conditional update');
      return this.store.conditionalUpdate(resource, criteria, audited, options);
    });
  }

  patch(
    resourceType: string,
    id: string,
    operations: Operation[],
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult> {
    return this.write('patch', resourceType, 'u', context, async (target, access, audited) => {
      // the patched content is only known inside the store's transaction: patient/ tokens update whole resources,
      // whose new content is checked before anything is written
      this.guardrails.assertUnrestricted(access, 'JSON Patch');
      await this.assertCurrentVisible(access, resourceType, id, target);
      return this.store.patch(resourceType, id, operations, audited, options);
    });
  }

  delete(
    resourceType: string,
    id: string,
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult> {
    return this.write('delete', resourceType, 'd', context, async (target, access, audited) => {
      await this.assertCurrentVisible(access, resourceType, id, target);
      return this.store.delete(resourceType, id, audited, options);
    });
  }

  conditionalDelete(
    resourceType: string,
    criteria: string,
    context: WriteContext = {},
  ): Promise<WriteResult> {
    return this.write('delete', resourceType, 'd', context, async (_target, access, audited) => {
      this.guardrails.assertUnrestricted(access, 'Conditional delete');
      return this.store.conditionalDelete(resourceType, criteria, audited);
    });
  }

  /**
   * Instance history needs read, type and system history search (SMART v2). Versions of resources consent hides
   * from the caller are left out in SQL (by the patients of the current version); then entries a restricted caller
   * may not see by their own content (other patients, a version's own patients hidden, deletions whose content
   * cannot be checked) are left out of the page.
   */
  history(scope: HistoryScope = {}, options: HistoryOptions = {}): Promise<Bundle> {
    const level = scope.id ? 'history-instance' : scope.resourceType ? 'history-type' : 'history-system';
    return this.audit.audited(level, async (target, access) => {
      if (scope.resourceType === AUDIT_TYPE) throw notFound('AuditEvents have no history');
      this.guardrails.assertScope(access, scope.resourceType, scope.id ? 'r' : 's');
      if (scope.id) target.resources.push(`${scope.resourceType}/${scope.id}`);
      const consent = this.consent.restriction(access);
      const bundle = await this.store.history(scope, { ...options, consent });
      if (!access.patientIds && !consent) return bundle;
      return { ...bundle, entry: await this.guardrails.keepVisible(access, bundle.entry ?? [], target) };
    });
  }

  /**
   * Included types need read scope. Consent hides objecting or opted-out patients' resources in the search's own SQL
   * (matches, totals, includes, what chains and `_has` reach), so counts and page sizes are those of what the
   * caller may see and nothing says that anything was left out. One caller's expensive searches (chains, `_has`,
   * counts...) are capped (429 beyond).
   */
  search(request: SearchRequest, options: RecordSearchOptions = {}): Promise<SearchResult> {
    const types = request.resourceType ? [request.resourceType] : (options.types ?? request.types);
    return this.audit.audited(
      request.resourceType ? 'search-type' : 'search-system',
      async (target, access) => {
        if (types?.length) types.forEach((type) => this.guardrails.assertScope(access, type, 's'));
        else this.guardrails.assertScope(access, undefined, 's');
        if (request.resourceType === AUDIT_TYPE) return this.auditEvents.search(request);
        const result = await this.expensiveSearches.run(access, request, () =>
          this.store.search(request, {
            ...options,
            ...this.compartment(access, options.compartment),
            consent: this.consent.restriction(access),
          }),
        );
        return this.screen(access, result, target);
      },
    );
  }

  /**
   * The selected resources a caller may see, page by page: search scope on every type scanned, a patient/ token's
   * compartment and consent in SQL, types it may not read left out, each page audited with the patients it carried.
   * AuditEvents are reachable through search alone.
   */
  async *scan(options: ScanOptions = {}): AsyncGenerator<ScannedResource[]> {
    const types = options.types ?? { exclude: [] };
    const access = await this.audit.audited('search-system', async (_target, access) => {
      if ('include' in types) types.include.forEach((type) => this.guardrails.assertScope(access, type, 's'));
      else this.guardrails.assertScope(access, undefined, 's');
      return access;
    });
    const selection = 'include' in types ? types : { exclude: [...types.exclude, AUDIT_TYPE] };
    const scope = {
      ...options,
      types: selection,
      ...this.compartment(access, options.compartment),
      consent: this.consent.restriction(access),
    };
    for await (const page of this.store.scan(scope)) {
      const visible = await this.audit.audited('search-system', async (target) => {
        const kept = page.filter((row) => can(access, row.resourceType, 'r'));
        kept.forEach((row) => row.compartments.forEach((patient) => target.patientIds.add(patient)));
        return kept;
      });
      if (visible.length) yield visible;
    }
  }

  /** Transaction or batch: every entry's interaction must be granted; GETs inside bundles for system callers only. */
  processBundle(
    bundle: Bundle,
    context: WriteContext = {},
    options: { baseUrl?: string } = {},
  ): Promise<Bundle> {
    return this.audit.audited(bundle.type === 'batch' ? 'batch' : 'transaction', async (target, access) => {
      this.guardrails.assertUnrestricted(access, 'A transaction or batch');
      for (const { resourceType, interaction, resource } of bundleInteractions(
        bundle,
        this.options.maxBundleEntries,
      )) {
        this.guardrails.assertScope(access, resourceType, interaction);
        // GET entries run on the store's own reader, outside consent filtering: system callers for direct care only
        if (
          (interaction === 'r' || interaction === 's') &&
          (access.context !== 'system' || this.consent.applies(access))
        )
          throw forbidden('Reading inside a bundle is available to system/ callers for direct care only');
        if (resource) this.guardrails.assertWritable(access, resource, target);
      }
      const response = await this.store.processBundle(bundle, context, options);
      target.resources.push(...(response.entry ?? []).flatMap((entry) => entry.response?.location ?? []));
      return response;
    });
  }

  /**
   * A single write: scope checked, and its success AuditEvent appended inside the write's own transaction (through
   * WriteContext.inTransaction), so the data and its audit row commit or roll back together.
   */
  private write<T extends WriteResult>(
    interaction: 'create' | 'update' | 'patch' | 'delete',
    resourceType: string,
    scope: Interaction,
    context: WriteContext,
    work: (target: AuditTarget, access: AccessContext, audited: WriteContext) => Promise<T>,
  ): Promise<T> {
    return this.audit.audited(interaction, async (target, access, auditInTransaction) => {
      this.guardrails.assertScope(access, resourceType, scope);
      const inTransaction = async (tx: postgres.TransactionSql, result: WriteResult) => {
        target.resources.push(
          `${result.resourceType}/${result.id}${result.versionId ? `/_history/${result.versionId}` : ''}`,
        );
        await auditInTransaction(tx);
      };
      return work(target, access, { ...context, inTransaction });
    });
  }

  /** A patient/ token's compartment, intersected with any the caller asked for ($everything's linked patients). */
  private compartment(
    access: AccessContext,
    asked: { patientIds: string[] } | undefined,
  ): { compartment?: { patientIds: string[] } } {
    if (!access.patientIds) return asked ? { compartment: asked } : {};
    const allowed = access.patientIds;
    return {
      compartment: { patientIds: (asked?.patientIds ?? allowed).filter((id) => allowed.includes(id)) },
    };
  }

  /** Drops included types the caller may not read; notes the patients and resources found for the audit. */
  private screen(access: AccessContext, result: SearchResult, target: AuditTarget): SearchResult {
    const included = result.included.filter((found) => can(access, found.resourceType, 'r'));
    for (const found of [...result.matches, ...included]) {
      found.compartments?.forEach((patient) => target.patientIds.add(patient));
      target.resources.push(`${found.resourceType}/${found.id}/_history/${found.versionId}`);
    }
    return { ...result, included };
  }

  /** Before changing an existing resource: a restricted caller must be able to see it (absent is fine: a create). */
  private async assertCurrentVisible(
    access: AccessContext,
    resourceType: string,
    id: string,
    target: AuditTarget,
  ) {
    const current = await this.store.read(resourceType, id).catch(() => undefined);
    if (current) await this.guardrails.assertVisible(access, current, target);
  }
}
