import type { BundleEntry, FhirResource } from 'fhir/r4';
import type postgres from 'postgres';
import { etagOf } from '../conditional-criteria';
import { ResourceReader } from '../resource.reader';
import { ResourceWriter } from '../resource.writer';
import type { WriteContext, WriteResult } from '../store.types';
import type { ParsedEntry } from './bundle-entry.parser';
import { searchInBundle } from './entry-search';
import { ResourceSearcher } from '../search/resource-searcher';

const STATUS_TEXT: Record<number, string> = { 200: '200 OK', 201: '201 Created', 204: '204 No Content' };

/**
 * Runs one bundle entry inside the given transaction and shapes its response entry. Reads and searches go through
 * the caller's view (`context.view`) as the writer's changes do, so an entry is checked as its single request is.
 */
export class EntryExecutor {
  constructor(
    private readonly writer: ResourceWriter,
    private readonly reader: ResourceReader,
    private readonly searcher: ResourceSearcher,
    private readonly baseUrl?: string,
  ) {}

  async execute(
    tx: postgres.TransactionSql,
    entry: ParsedEntry,
    context: WriteContext,
  ): Promise<BundleEntry> {
    switch (entry.method) {
      case 'GET':
      case 'HEAD': {
        if (!entry.id) {
          const searchset = await searchInBundle(
            tx,
            this.searcher,
            entry.resourceType,
            entry.criteria ?? '',
            this.baseUrl,
            context.view,
          );
          return { resource: searchset, response: { status: '200 OK' } };
        }
        const resource = entry.versionId
          ? await this.reader.vread(tx, entry.resourceType, entry.id, entry.versionId)
          : await this.reader.read(tx, entry.resourceType, entry.id);
        await context.view?.assertReadable(tx, resource);
        return {
          ...(entry.method === 'GET' ? { resource: resource as FhirResource } : {}),
          response: {
            status: '200 OK',
            etag: etagOf(Number(resource.meta?.versionId)),
            lastModified: resource.meta?.lastUpdated,
          },
        };
      }
      case 'POST': {
        const resource = entry.resource!;
        const result = entry.ifNoneExist
          ? await this.writer.conditionalCreate(tx, resource, entry.ifNoneExist, context, entry.id)
          : await this.writer.create(tx, resource, context, entry.id);
        return responseEntry(result);
      }
      case 'PUT': {
        const resource = entry.resource!;
        const options = { ifMatch: entry.ifMatch };
        const result = entry.criteria
          ? await this.writer.conditionalUpdate(tx, resource, entry.criteria, context, options)
          : await this.writer.update(tx, resource, context, options);
        return responseEntry(result);
      }
      case 'PATCH':
        return responseEntry(
          await this.writer.patch(tx, entry.resourceType, entry.id!, entry.patch!, context, {
            ifMatch: entry.ifMatch,
          }),
        );
      case 'DELETE': {
        const result = entry.criteria
          ? await this.writer.conditionalDelete(tx, entry.resourceType, entry.criteria, context)
          : await this.writer.delete(tx, entry.resourceType, entry.id!, context, { ifMatch: entry.ifMatch });
        return responseEntry(result);
      }
    }
  }
}

export function responseEntry(result: WriteResult): BundleEntry {
  const located = result.versionId !== undefined && result.outcome !== 'deleted';
  return {
    response: {
      status: STATUS_TEXT[result.status],
      ...(located ? { location: `${result.resourceType}/${result.id}/_history/${result.versionId}` } : {}),
      ...(result.versionId !== undefined ? { etag: etagOf(result.versionId) } : {}),
      ...(result.lastUpdated ? { lastModified: result.lastUpdated } : {}),
    },
  };
}
