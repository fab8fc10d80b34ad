import { notFound, planView, redactLocating, type SearchRequest } from '@continuum/fhir';
import type {
  CheckpointedScan,
  ConsentQueries,
  HistoryOptions,
  HistoryScope,
  KeyRangeCut,
  RecordSearchOptions,
  ResourceStore,
  ScannedResource,
  ScanBoundaries,
  ScanOptions,
  SearchResult,
  UpdateOptions,
  ViewRowsPage,
  ViewRunOptions,
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
import { type AccessContext, AUDIT_TYPE, can, tokenPerson } from './access-context';
import type { AccessGuardrails } from './access.guardrails';
import { bundleInteractions } from './bundle-interactions';
import { CallerView } from './caller-view';
import type { RestrictedPeople } from './restricted-people';
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
 * restriction in SQL. Every write, conditional or not, and every bundle entry runs through the caller's view
 * (CallerView, passed to the plain store in WriteContext), which the store applies inside its transaction to what
 * it matches, reads and changes. Single writes are audited inside their own transaction; reads, refusals and
 * bundles before the caller is answered (docs/security.md explains the gap this leaves). Whatever leaves it, a
 * restricted (S-flag) person's locating details are removed (RestrictedPeople: one SQL look-up per response).
 */
export class SecuredResourceStore implements ResourceStore {
  constructor(
    private readonly store: ResourceStore,
    private readonly guardrails: AccessGuardrails,
    private readonly consent: ConsentGate,
    private readonly consents: ConsentQueries,
    private readonly audit: AuditRecorder,
    private readonly auditEvents: AuditEventSearch,
    private readonly restricted: RestrictedPeople,
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
      return this.restricted.redactOne(resource);
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
      return this.restricted.redactOne(resource);
    });
  }

  /** With If-None-Exist, matches the caller may not see are absent: it creates rather than disclose them. */
  create<T extends Resource>(
    resource: T,
    context: WriteContext = {},
    options: { ifNoneExist?: string } = {},
  ): Promise<WriteResult<T>> {
    const conditional = Boolean(options.ifNoneExist);
    return this.write('create', resource.resourceType, 'c', conditional, context, (viewed) =>
      this.store.create(resource, viewed, options),
    );
  }

  update<T extends Resource>(
    resource: T,
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult<T>> {
    return this.write('update', resource.resourceType, 'u', false, context, (viewed) =>
      this.store.update(resource, viewed, options),
    );
  }

  /** Matches the caller may not see are absent: never overwritten (no match creates, as FHIR says). */
  conditionalUpdate<T extends Resource>(
    resource: T,
    criteria: string,
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult<T>> {
    return this.write('update', resource.resourceType, 'u', true, context, (viewed) =>
      this.store.conditionalUpdate(resource, criteria, viewed, options),
    );
  }

  /** The patched content is checked inside the store's transaction, before it is written. */
  patch(
    resourceType: string,
    id: string,
    operations: Operation[],
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult> {
    return this.write('patch', resourceType, 'u', false, context, (viewed) =>
      this.store.patch(resourceType, id, operations, viewed, options),
    );
  }

  delete(
    resourceType: string,
    id: string,
    context: WriteContext = {},
    options: UpdateOptions = {},
  ): Promise<WriteResult> {
    return this.write('delete', resourceType, 'd', false, context, (viewed) =>
      this.store.delete(resourceType, id, viewed, options),
    );
  }

  /** Matches the caller may not see are absent: only hidden ones answer as "nothing matched" and stay. */
  conditionalDelete(
    resourceType: string,
    criteria: string,
    context: WriteContext = {},
  ): Promise<WriteResult> {
    return this.write('delete', resourceType, 'd', true, context, (viewed) =>
      this.store.conditionalDelete(resourceType, criteria, viewed),
    );
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
      const entries =
        !access.patientIds && !consent
          ? (bundle.entry ?? [])
          : await this.guardrails.keepVisible(access, bundle.entry ?? [], target);
      return { ...bundle, entry: await this.restricted.redactBundleEntries(entries) };
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
        return this.redacted(this.screen(access, result, target));
      },
    );
  }

  /** Needs read scope on Patient; a patient/ token learns only of records within its own person. */
  personOf(patientId: string): Promise<string[]> {
    return this.audit.audited('read', async (target, access) => {
      this.guardrails.assertScope(access, 'Patient', 'r');
      const allowed = tokenPerson(access);
      const person = await this.store.personOf(patientId);
      const visible = allowed ? person.filter((id) => allowed.includes(id)) : person;
      visible.forEach((id) => target.patientIds.add(id));
      return visible;
    });
  }

  /**
   * The selected resources a caller may see, page by page: search scope on every type scanned, a patient/ token's
   * compartment and consent in SQL, types it may not read left out, each page audited with the patients it carried
   * before it is yielded. AuditEvents are reachable through search alone.
   */
  async *scan(options: ScanOptions = {}): AsyncGenerator<ScannedResource[]> {
    const { access, scope } = await this.scanScope(options);
    for await (const page of this.store.scan(scope)) {
      const visible = await this.audit.audited('search-system', async (target) => {
        const kept = readable(access, page);
        kept.forEach((row) => row.compartments.forEach((patient) => target.patientIds.add(patient)));
        return kept;
      });
      if (visible.length) yield visible.map(redactedRow);
    }
  }

  /** The caller must be allowed the scan itself; its boundaries are drawn within what the caller may see. */
  async scanBoundaries(options: ScanOptions, cut: KeyRangeCut): Promise<ScanBoundaries> {
    return this.store.scanBoundaries((await this.scanScope(options)).scope, cut);
  }

  /**
   * The same selection and checks as `scan`, for a bulk export: its pages are not audited one by one (on a large
   * export that was most of its cost); what they carried is gathered as they are yielded and audited, as one event
   * naming the patients and the count per type, by `auditCheckpoint` inside the transaction that records the
   * export's checkpoint (its file parts). Nothing written can be listed or downloaded before that commits.
   */
  scanCheckpointed(options: ScanOptions = {}): CheckpointedScan {
    let pending = { patients: new Set<string>(), counts: new Map<string, number>() };
    let caller: AccessContext | undefined;
    const pages = async function* (this: SecuredResourceStore): AsyncGenerator<ScannedResource[]> {
      const { access, scope } = await this.scanScope(options);
      caller = access;
      for await (const page of this.store.scan(scope)) {
        const visible = readable(access, page);
        for (const row of visible) {
          row.compartments.forEach((patient) => pending.patients.add(patient));
          pending.counts.set(row.resourceType, (pending.counts.get(row.resourceType) ?? 0) + 1);
        }
        if (visible.length) yield visible.map(redactedRow);
      }
    }.call(this);
    return {
      pages,
      auditCheckpoint: async (tx) => {
        if (!caller || !pending.counts.size) return;
        const { patients, counts } = pending;
        pending = { patients: new Set(), counts: new Map() };
        const disclosed = [...counts].sort(([a], [b]) => a.localeCompare(b));
        await this.audit.recordIn(
          tx,
          'search-system',
          caller,
          { patientIds: patients, resources: [] },
          disclosed.map(([resourceType, count]) => ({ resourceType, count })),
        );
      },
    };
  }

  /**
   * A view's rows computed in SQL with what `scan` applies to its type: search scope on it (no rows without read
   * scope), a patient/ token's compartment, consent and opt-out in the statement, and a restricted person's locating
   * details removed before any column is computed. Each page is audited with the patients whose resources gave its
   * rows before it is yielded (so before it is written to the response): one event per page of rows, as a scan's.
   */
  async *runView(view: unknown, options: ViewRunOptions = {}): AsyncGenerator<ViewRowsPage> {
    const type = planView(view).resource;
    const { access, scope } = await this.scanScope({ types: { include: [type] }, compartment: options.compartment });
    if (!can(access, type, 'r')) return;
    const restricted = { ...options, compartment: scope.compartment, consent: scope.consent, redactRestricted: true };
    for await (const page of this.store.runView(view, restricted))
      yield await this.audit.audited('search-system', async (target) => {
        page.patientIds.forEach((patient) => target.patientIds.add(patient));
        return page;
      });
  }

  /** A scan's checks (audited: a refusal is an event) and the selection it runs with for this caller. */
  private async scanScope(options: ScanOptions): Promise<{ access: AccessContext; scope: ScanOptions }> {
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
    return { access, scope };
  }

  /**
   * Transaction or batch, for every caller (patient/ tokens included): each entry's interaction must be granted
   * before anything runs (search too for a conditional entry); then each entry runs through the caller's view, so
   * what it reads, matches and changes is checked as its single request would be, and its patients are audited.
   */
  processBundle(
    bundle: Bundle,
    context: WriteContext = {},
    options: { baseUrl?: string } = {},
  ): Promise<Bundle> {
    return this.audit.audited(bundle.type === 'batch' ? 'batch' : 'transaction', async (target, access) => {
      for (const { resourceType, interaction, conditional } of bundleInteractions(
        bundle,
        this.options.maxBundleEntries,
      )) {
        this.guardrails.assertScope(access, resourceType, interaction);
        if (conditional) this.guardrails.assertScope(access, resourceType, 's');
      }
      const view = this.viewOf(access, target);
      const response = await this.store.processBundle(bundle, { ...context, view }, options);
      target.resources.push(...(response.entry ?? []).flatMap((entry) => entry.response?.location ?? []));
      return response.entry
        ? { ...response, entry: await this.restricted.redactBundleEntries(response.entry) }
        : response;
    });
  }

  /**
   * A single write, through the caller's view (every check on what it matches and changes runs inside the store's
   * transaction), with its success AuditEvent appended there too (WriteContext.inTransaction), so the data and its
   * audit row commit or roll back together. A conditional write searches its type, so it needs search scope too.
   */
  private write<T extends WriteResult>(
    interaction: 'create' | 'update' | 'patch' | 'delete',
    resourceType: string,
    scope: Interaction,
    conditional: boolean,
    context: WriteContext,
    work: (viewed: WriteContext) => Promise<T>,
  ): Promise<T> {
    return this.audit.audited(interaction, async (target, access, auditInTransaction) => {
      this.guardrails.assertScope(access, resourceType, scope);
      if (conditional) this.guardrails.assertScope(access, resourceType, 's');
      const inTransaction = async (tx: postgres.TransactionSql, result: WriteResult) => {
        if (result.id)
          target.resources.push(
            `${result.resourceType}/${result.id}${result.versionId ? `/_history/${result.versionId}` : ''}`,
          );
        await auditInTransaction(tx);
      };
      const result = await work({ ...context, inTransaction, view: this.viewOf(access, target) });
      return result.resource
        ? { ...result, resource: await this.restricted.redactOne(result.resource) }
        : result;
    });
  }

  private viewOf(access: AccessContext, target: AuditTarget): CallerView {
    return new CallerView(access, target, this.guardrails, this.consent, this.consents);
  }

  /** A patient/ token's compartment, intersected with any the caller asked for ($everything's linked patients). */
  private compartment(
    access: AccessContext,
    asked: { patientIds: string[] } | undefined,
  ): { compartment?: { patientIds: string[] } } {
    const allowed = tokenPerson(access);
    if (!allowed) return asked ? { compartment: asked } : {};
    return {
      compartment: { patientIds: (asked?.patientIds ?? allowed).filter((id) => allowed.includes(id)) },
    };
  }

  /** The page with every match and include of a restricted person redacted (one look-up for the page). */
  private async redacted(result: SearchResult): Promise<SearchResult> {
    const found = [...result.matches, ...result.included];
    const contents = await this.restricted.redact(
      found.map(({ content, compartments }) => ({ resource: content, compartments })),
    );
    const redactedAt = (offset: number) => (item: (typeof found)[number], i: number) => ({
      ...item,
      content: contents[offset + i],
    });
    return {
      ...result,
      matches: result.matches.map(redactedAt(0)),
      included: result.included.map(redactedAt(result.matches.length)),
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
}

/** The rows of types the caller may read. */
function readable(access: AccessContext, page: ScannedResource[]): ScannedResource[] {
  return page.filter((row) => can(access, row.resourceType, 'r'));
}

/**
 * A row with a restricted person's locating details removed. The scan decided each row's restricted person in its
 * own SQL; a row asked for as bytes (an export writes stored JSON as it is) is parsed to be redacted, so no
 * restricted person's locating details leave as bytes.
 */
function redactedRow(row: ScannedResource): ScannedResource {
  if (!row.restrictedPerson) return row;
  if (row.contentBytes)
    return { ...row, content: redactLocating(JSON.parse(row.contentBytes.toString('utf8'))), contentBytes: null };
  return row.content ? { ...row, content: redactLocating(row.content) } : row;
}
