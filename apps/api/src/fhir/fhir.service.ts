import { HttpConfig } from '@continuum/config';
import { badRequest, isPdqmSearch, isResourceType, notFound, parseSearchRequest } from '@continuum/fhir';
import { currentCorrelationId } from '@continuum/observability';
import { ResourceStore, type WriteContext, type WriteResult } from '@continuum/store';
import { Injectable } from '@nestjs/common';
import type { Operation } from 'fast-json-patch';
import type { Bundle, Resource } from 'fhir/r4';
import { PatientFindingService } from '../pdqm/patient-finding.service';
import { PAGING_PARAMS, searchsetBundle } from './search-bundle.builder';
import { currentCursor, decodePage } from './search-page.token';

export interface SearchInput {
  /** Undefined for a system-level search. */
  resourceType?: string;
  params: [string, string][];
  strict?: boolean;
  /** Path of the links (defaults to the type). */
  path?: string;
}

export interface HistoryInput {
  resourceType?: string;
  id?: string;
  params: [string, string][];
}

/**
 * The FHIR interactions on stored resources, shared by every route: checks the request against the URL, applies
 * the caller's AccessContext, and calls the store or the searcher once.
 */
@Injectable()
export class FhirService {
  readonly baseUrl: string;

  constructor(
    private readonly store: ResourceStore,
    private readonly patientFinding: PatientFindingService,
    http: HttpConfig,
  ) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
  }

  async read(resourceType: string, id: string): Promise<Resource> {
    knownType(resourceType);
    return this.store.read(resourceType, id);
  }

  async vread(resourceType: string, id: string, versionId: string): Promise<Resource> {
    knownType(resourceType);
    return this.store.vread(resourceType, id, versionId);
  }

  create(resourceType: string, resource: Resource, ifNoneExist?: string): Promise<WriteResult> {
    this.checkBody(resourceType, resource);
    return this.store.create(resource, writeContext(), { ifNoneExist });
  }

  async update(resourceType: string, id: string, resource: Resource, ifMatch?: string): Promise<WriteResult> {
    this.checkBody(resourceType, resource);
    if (resource.id !== id)
      throw badRequest(`Resource id '${resource.id ?? ''}' does not match the URL id '${id}'`, [
        `${resourceType}.id`,
      ]);
    return this.store.update(resource, writeContext(), { ifMatch });
  }

  conditionalUpdate(resourceType: string, criteria: string, resource: Resource): Promise<WriteResult> {
    this.checkBody(resourceType, resource);
    return this.store.conditionalUpdate(resource, `${resourceType}?${criteria}`, writeContext());
  }

  async patch(
    resourceType: string,
    id: string,
    operations: Operation[],
    ifMatch?: string,
  ): Promise<WriteResult> {
    knownType(resourceType);
    if (!Array.isArray(operations)) throw badRequest('A JSON Patch body is an array of operations');
    return this.store.patch(resourceType, id, operations, writeContext(), { ifMatch });
  }

  async delete(resourceType: string, id: string, ifMatch?: string): Promise<WriteResult> {
    knownType(resourceType);
    return this.store.delete(resourceType, id, writeContext(), { ifMatch });
  }

  conditionalDelete(resourceType: string, criteria: string): Promise<WriteResult> {
    knownType(resourceType);
    return this.store.conditionalDelete(resourceType, `${resourceType}?${criteria}`, writeContext());
  }

  history(input: HistoryInput): Promise<Bundle> {
    if (input.resourceType) knownType(input.resourceType);
    const param = (name: string) => input.params.find(([key]) => key === name)?.[1];
    const count = param('_count');
    if (count !== undefined && !/^\d+$/.test(count)) throw badRequest(`Invalid _count '${count}'`);
    return this.store.history(
      { resourceType: input.resourceType, id: input.id },
      {
        since: param('_since'),
        count: count === undefined ? undefined : Number(count),
        cursor: param('_cursor'),
        baseUrl: this.baseUrl,
      },
    );
  }

  /** R4 search in the store; `Patient?_query=pdqm` is patient finding (PDQm) instead. */
  async search(input: SearchInput): Promise<Bundle> {
    if (isPdqmSearch(input.resourceType, input.params)) return this.patientFinding.search(input.params);
    const param = (name: string) => input.params.find(([key]) => key === name)?.[1];
    const page = decodePage(param('_page'), param('_cursor'));
    const params = input.params.filter(([key]) => !PAGING_PARAMS.has(key));
    const request = parseSearchRequest(input.resourceType, params, {
      strict: input.strict,
      baseUrl: this.baseUrl,
    });
    request.cursor = currentCursor(page);
    const result = await this.store.search(request, {
      baseUrl: this.baseUrl,
    });
    return searchsetBundle(result, page, {
      baseUrl: this.baseUrl,
      path: input.path ?? input.resourceType ?? '',
      params: params.filter(([key]) => key !== '_format' && key !== '_pretty'),
    });
  }

  /** A transaction or batch Bundle at the base. */
  processBundle(bundle: Resource | undefined): Promise<Bundle> {
    if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle')
      throw badRequest('POST to the base takes a Bundle');
    const type = (bundle as Bundle).type;
    if (type !== 'transaction' && type !== 'batch')
      throw badRequest(`POST to the base takes a transaction or batch Bundle, not '${type}'`, [
        'Bundle.type',
      ]);
    return this.store.processBundle(bundle as Bundle, writeContext(), { baseUrl: this.baseUrl });
  }

  private checkBody(resourceType: string, resource: Resource): void {
    knownType(resourceType);
    if (!resource || typeof resource !== 'object' || resource.resourceType !== resourceType)
      throw badRequest(`The body must be a ${resourceType} resource`, ['resourceType']);
  }
}

function knownType(resourceType: string): void {
  if (!isResourceType(resourceType)) throw notFound(`Unknown resource type '${resourceType}'`);
}

function writeContext(): WriteContext {
  return { requestId: currentCorrelationId() };
}
