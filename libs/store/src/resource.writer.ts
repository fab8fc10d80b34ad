import { randomUUID } from 'node:crypto';
import {
  assertValidResource,
  badRequest,
  FhirError,
  gone,
  isValidFhirId,
  notFound,
  operationOutcome,
  preconditionFailed,
} from '@continuum/fhir';
import { applyPatch, type Operation } from 'fast-json-patch';
import type { Resource } from 'fhir/r4';
import type postgres from 'postgres';
import { normaliseCriteria, parseVersionTag } from './conditional-criteria';
import { ResourceRepository } from './repository/resource.repository';
import type { CriteriaMatcher } from './store.ports';
import type {
  PlannedVersion,
  RecordView,
  StoreOptions,
  StoredResource,
  WriteContext,
  WriteResult,
} from './store.types';
import { planVersion } from './version.planner';
import { VersionWriter } from './version.writer';

export interface UpdateOptions {
  /** If-Match: the version the client last saw; another current version is refused with 412. */
  ifMatch?: string | number;
}

const MAX_CREATE_RACE_RETRIES = 3;

/**
 * The single-resource writes, each inside a transaction the caller owns (FhirStore opens one per call; a
 * transaction bundle runs all its entries in one). Every write validates, plans the next version under a row
 * lock, and writes it through VersionWriter.
 *
 * A caller's view (`WriteContext.view`, from the secured store) is applied here, so that no path around it exists:
 * conditional criteria match only what the caller may see, and every change is put to the view under the row lock,
 * before If-Match is compared (a 412 would otherwise disclose the version of something the caller may not see).
 */
export class ResourceWriter {
  constructor(
    private readonly repository: ResourceRepository,
    private readonly versions: VersionWriter,
    private readonly matcher: CriteriaMatcher,
    private readonly options: StoreOptions = {},
  ) {}

  validate<T extends Resource>(resource: T): T {
    assertValidResource(resource, { maxResourceBytes: this.options.maxResourceBytes });
    return resource;
  }

  /** POST: a new resource with a server-assigned id (any id in the body is ignored, as the spec says). */
  async create<T extends Resource>(
    tx: postgres.TransactionSql,
    resource: T,
    context: WriteContext,
    id: string = randomUUID(),
  ): Promise<WriteResult<T>> {
    this.validate(resource);
    return this.put(tx, resource.resourceType, id, resource, context, undefined);
  }

  /** POST with If-None-Exist: 0 matches creates, 1 returns the match (200), more is a 412. */
  async conditionalCreate<T extends Resource>(
    tx: postgres.TransactionSql,
    resource: T,
    ifNoneExist: string,
    context: WriteContext,
    id?: string,
  ): Promise<WriteResult<T>> {
    this.validate(resource);
    const criteria = await this.lockCriteria(tx, resource.resourceType, ifNoneExist);
    const matches = await this.matcher.match(tx, resource.resourceType, criteria, 2, context.view);
    if (matches.length > 1)
      throw preconditionFailed(
        `If-None-Exist '${ifNoneExist}' matches more than one ${resource.resourceType}`,
      );
    if (matches.length === 1) {
      const existing = await this.repository.read(tx, resource.resourceType, matches[0].id);
      if (existing?.content && !existing.deleted) return resultOf<T>('existing', 200, existing);
    }
    return this.put(tx, resource.resourceType, id ?? randomUUID(), resource, context, undefined);
  }

  /** PUT Type/id: update, or create with the client's id when there is none (update-as-create). */
  async update<T extends Resource>(
    tx: postgres.TransactionSql,
    resource: T,
    context: WriteContext,
    options: UpdateOptions = {},
  ): Promise<WriteResult<T>> {
    const id = updatableId(resource);
    this.validate(resource);
    return this.put(tx, resource.resourceType, id, resource, context, options.ifMatch);
  }

  /**
   * Many unconditional creates and updates with known, distinct ids and no If-Match (a transaction's plain POST and
   * PUT entries), already validated by the caller: their rows locked in key order with one statement, each change
   * put to the caller's view and planned as `put` would, then written together through one VersionWriter call
   * (one statement per table for all of them, not one round of statements each). A version whose row a concurrent
   * transaction created in between is written again through `put`, which locks that row and plans on it. An error
   * is passed through `blame` with the item's position, so the caller can say which entry it was.
   */
  async putMany(
    tx: postgres.TransactionSql,
    items: PutItem[],
    context: WriteContext,
    blame: (error: unknown, position: number) => unknown = (error) => error,
  ): Promise<WriteResult[]> {
    const keys = items.map((item, position) => {
      try {
        const id = item.id ?? updatableId(item.resource);
        return { resourceType: item.resource.resourceType, id };
      } catch (error) {
        throw blame(error, position);
      }
    });
    if (new Set(keys.map(({ resourceType, id }) => `${resourceType}/${id}`)).size !== keys.length)
      throw new Error('putMany: the same resource twice in one call');
    const state = await this.repository.lockMany(tx, keys);
    const versions: PlannedVersion[] = [];
    for (const [position, { resourceType, id }] of keys.entries()) {
      const current = state.get(`${resourceType}/${id}`);
      const resource = { ...items[position].resource, id };
      try {
        await this.assertChange(tx, context.view, resourceType, id, current, resource);
      } catch (error) {
        throw blame(error, position);
      }
      versions.push(
        planVersion({ current, resourceType, id, resource, context, baseUrl: this.options.baseUrl }),
      );
    }
    // rows are inserted in key order, so two transactions creating the same new ids cannot deadlock on them
    const byKey = (a: PlannedVersion, b: PlannedVersion) =>
      a.resourceType === b.resourceType ? (a.id < b.id ? -1 : 1) : a.resourceType < b.resourceType ? -1 : 1;
    const { written } = await this.versions.write(tx, [...versions].sort(byKey));
    const writtenKeys = new Set(written.map((version) => `${version.resourceType}/${version.id}`));
    const results: WriteResult[] = [];
    for (const [position, version] of versions.entries()) {
      if (writtenKeys.has(`${version.resourceType}/${version.id}`)) results.push(resultOfVersion(version));
      else {
        try {
          const { resource } = items[position];
          results.push(await this.put(tx, version.resourceType, version.id, resource, context, undefined));
        } catch (error) {
          throw blame(error, position);
        }
      }
    }
    return results;
  }

  /** PUT Type?criteria: 0 matches creates (with the body's id if any), 1 updates it, more is a 412. */
  async conditionalUpdate<T extends Resource>(
    tx: postgres.TransactionSql,
    resource: T,
    criteria: string,
    context: WriteContext,
    options: UpdateOptions = {},
  ): Promise<WriteResult<T>> {
    this.validate(resource);
    const normalised = await this.lockCriteria(tx, resource.resourceType, criteria);
    const matches = await this.matcher.match(tx, resource.resourceType, normalised, 2, context.view);
    if (matches.length > 1)
      throw preconditionFailed(`Criteria '${criteria}' match more than one ${resource.resourceType}`);
    const target = matches[0]?.id ?? resource.id ?? randomUUID();
    if (resource.id && resource.id !== target) {
      throw badRequest(
        `Resource id '${resource.id}' does not match the resource the criteria found ('${target}')`,
        [`${resource.resourceType}.id`],
      );
    }
    if (!isValidFhirId(target)) throw badRequest(`Invalid id '${target}'`, [`${resource.resourceType}.id`]);
    return this.put(tx, resource.resourceType, target, resource, context, options.ifMatch);
  }

  /** PATCH with a JSON Patch document; the patched resource is validated like any other write. */
  async patch(
    tx: postgres.TransactionSql,
    resourceType: string,
    id: string,
    operations: Operation[],
    context: WriteContext,
    options: UpdateOptions = {},
  ): Promise<WriteResult> {
    const current = await this.repository.lock(tx, resourceType, id);
    const content = requireLive(current, resourceType, id);
    // seen before If-Match or a patch `test` can answer anything about it
    await context.view?.assertReadable(tx, content);
    checkIfMatch(current as StoredResource, options.ifMatch);
    const patched = applyJsonPatch(content, operations);
    if (patched.resourceType !== resourceType || patched.id !== id) {
      throw FhirError.of(422, 'processing', 'A patch may not change resourceType or id');
    }
    this.validate(patched);
    await context.view?.assertChange(tx, { resourceType, id, current: content, next: patched });
    return this.writeNext(tx, current as StoredResource, resourceType, id, patched, context);
  }

  /** DELETE: a tombstone version (read then answers 410). Deleting what is absent or already deleted changes nothing. */
  async delete(
    tx: postgres.TransactionSql,
    resourceType: string,
    id: string,
    context: WriteContext,
    options: UpdateOptions = {},
  ): Promise<WriteResult> {
    const current = await this.repository.lock(tx, resourceType, id);
    if (!current) {
      if (options.ifMatch !== undefined) throw preconditionFailed(`${resourceType}/${id} does not exist`);
      return { outcome: 'not-found', status: 204, resourceType, id, resource: null };
    }
    await this.assertChange(tx, context.view, resourceType, id, current, null);
    checkIfMatch(current, options.ifMatch);
    if (current.deleted) return resultOf('unchanged', 204, current);
    return this.writeNext(tx, current, resourceType, id, null, context);
  }

  /** DELETE Type?criteria: deletes the one match; none is a no-op, more than one a 412. */
  async conditionalDelete(
    tx: postgres.TransactionSql,
    resourceType: string,
    criteria: string,
    context: WriteContext,
  ): Promise<WriteResult> {
    const normalised = await this.lockCriteria(tx, resourceType, criteria);
    const matches = await this.matcher.match(tx, resourceType, normalised, 2, context.view);
    if (matches.length > 1)
      throw preconditionFailed(`Criteria '${criteria}' match more than one ${resourceType}`);
    if (matches.length === 0)
      return { outcome: 'not-found', status: 204, resourceType, id: '', resource: null };
    return this.delete(tx, resourceType, matches[0].id, context);
  }

  /** Writes `resource` as the next version of Type/id, creating it if absent; retries when a concurrent create wins. */
  private async put<T extends Resource>(
    tx: postgres.TransactionSql,
    resourceType: string,
    id: string,
    resource: T,
    context: WriteContext,
    ifMatch: string | number | undefined,
  ): Promise<WriteResult<T>> {
    for (let attempt = 0; attempt < MAX_CREATE_RACE_RETRIES; attempt++) {
      const current = await this.repository.lock(tx, resourceType, id);
      if (!current && ifMatch !== undefined)
        throw preconditionFailed(`${resourceType}/${id} does not exist (If-Match ${ifMatch})`);
      await this.assertChange(tx, context.view, resourceType, id, current, { ...resource, id });
      if (current) checkIfMatch(current, ifMatch);
      const result = await this.tryWriteNext<T>(tx, current, resourceType, id, resource, context);
      if (result) return result;
      // another transaction created the same id between our lock attempt and insert: lock its row and go again
    }
    throw FhirError.of(409, 'conflict', `Concurrent writes to ${resourceType}/${id}; retry`);
  }

  private async writeNext(
    tx: postgres.TransactionSql,
    current: StoredResource,
    resourceType: string,
    id: string,
    resource: Resource | null,
    context: WriteContext,
  ): Promise<WriteResult> {
    const result = await this.tryWriteNext(tx, current, resourceType, id, resource, context);
    // the row is locked, so its version cannot have moved: reaching this is a bug, not a race
    if (!result) throw FhirError.of(500, 'exception', `Version check failed on locked ${resourceType}/${id}`);
    return result;
  }

  private async tryWriteNext<T extends Resource>(
    tx: postgres.TransactionSql,
    current: StoredResource | undefined,
    resourceType: string,
    id: string,
    resource: Resource | null,
    context: WriteContext,
  ): Promise<WriteResult<T> | undefined> {
    const version = planVersion({
      current,
      resourceType,
      id,
      resource,
      context,
      baseUrl: this.options.baseUrl,
    });
    const { written } = await this.versions.write(tx, [version]);
    if (written.length === 0) return undefined;
    return resultOfVersion<T>(version);
  }

  /**
   * Locks the criteria (held to the end of the transaction) and returns up to two matches: what a transaction
   * needs to resolve conditional entries and references before it writes anything.
   */
  async resolveCriteria(
    tx: postgres.TransactionSql,
    resourceType: string,
    criteria: string,
    view?: RecordView,
  ): Promise<string[]> {
    const normalised = await this.lockCriteria(tx, resourceType, criteria);
    return (await this.matcher.match(tx, resourceType, normalised, 2, view)).map((match) => match.id);
  }

  /** Puts a change to the caller's view (when there is one); a deleted current version counts as none. */
  private async assertChange(
    tx: postgres.TransactionSql,
    view: RecordView | undefined,
    resourceType: string,
    id: string,
    current: StoredResource | undefined,
    next: Resource | null,
  ): Promise<void> {
    if (!view) return;
    const live = current && !current.deleted && current.content ? current.content : undefined;
    await view.assertChange(tx, { resourceType, id, current: live, next });
  }

  private async lockCriteria(
    tx: postgres.TransactionSql,
    resourceType: string,
    criteria: string,
  ): Promise<string> {
    const normalised = normaliseCriteria(resourceType, criteria);
    await this.repository.lockCriteria(tx, `conditional:${resourceType}?${normalised}`);
    return normalised;
  }
}

/** A resource to write with `putMany`: `id` for a create whose id the server assigned, else the body's id. */
export interface PutItem {
  resource: Resource;
  id?: string;
}

/** The id a PUT writes: the body's, which must be there and valid. */
function updatableId(resource: Resource): string {
  if (!resource.id)
    throw badRequest('An update needs the resource id in the body', [`${resource.resourceType}.id`]);
  if (!isValidFhirId(resource.id))
    throw badRequest(`Invalid id '${resource.id}'`, [`${resource.resourceType}.id`]);
  return resource.id;
}

function resultOfVersion<T extends Resource>(version: PlannedVersion): WriteResult<T> {
  const outcome =
    version.operation === 'delete' ? 'deleted' : version.operation === 'create' ? 'created' : 'updated';
  return {
    outcome,
    status: outcome === 'created' ? 201 : 200,
    resourceType: version.resourceType,
    id: version.id,
    versionId: version.versionId,
    lastUpdated: version.lastUpdated.toISOString(),
    resource: version.content as T | null,
  };
}

function requireLive(current: StoredResource | undefined, resourceType: string, id: string): Resource {
  if (!current) throw notFound(`${resourceType}/${id} not found`);
  if (current.deleted || !current.content) throw gone(`${resourceType}/${id} was deleted`);
  return current.content;
}

function checkIfMatch(current: StoredResource, ifMatch: string | number | undefined): void {
  if (ifMatch === undefined) return;
  const expected = parseVersionTag(ifMatch);
  if (expected !== current.versionId) {
    throw preconditionFailed(
      `${current.resourceType}/${current.id} is at version ${current.versionId}, not ${expected} (If-Match)`,
    );
  }
}

function applyJsonPatch(resource: Resource, operations: Operation[]): Resource {
  if (!Array.isArray(operations)) throw badRequest('A JSON Patch must be an array of operations');
  try {
    return applyPatch(structuredClone(resource), operations, true, true).newDocument;
  } catch (error) {
    const name = (error as { name?: string }).name;
    const message = (error as Error).message.split('\n')[0];
    // a failed `test` is the client's precondition not holding; a malformed operation is a bad request
    if (name === 'TEST_OPERATION_FAILED' || message.includes('Test operation failed')) {
      throw new FhirError(
        422,
        operationOutcome([{ code: 'processing', diagnostics: `JSON Patch test failed: ${message}` }]),
      );
    }
    throw badRequest(`Invalid JSON Patch: ${message}`);
  }
}

function resultOf<T extends Resource>(
  outcome: WriteResult['outcome'],
  status: WriteResult['status'],
  stored: StoredResource,
): WriteResult<T> {
  return {
    outcome,
    status,
    resourceType: stored.resourceType,
    id: stored.id,
    versionId: stored.versionId,
    lastUpdated: stored.lastUpdated.toISOString(),
    resource: stored.content as T | null,
  };
}
