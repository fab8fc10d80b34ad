import { badRequest, type ConsentRestriction, gone, isKnownResourceType, notFound } from '@continuum/fhir';
import type { Bundle, BundleEntry, FhirResource, Resource } from 'fhir/r4';
import { etagOf } from './conditional-criteria';
import { ResourceRepository, type HistoryRow } from './repository/resource.repository';
import type { Queryable } from './store.types';

export interface HistoryOptions {
  /** `_since`: only versions written at or after this instant. */
  since?: string;
  /** `_count`: page size (default 50, at most 1000). */
  count?: number;
  /** Opaque paging position from a previous page's `next` link (`_cursor`). */
  cursor?: string;
  /** Public base URL for fullUrl and links. */
  baseUrl?: string;
  /** Leaves out versions of resources whose patients these consent directives hide (the secured store's caller). */
  consent?: ConsentRestriction;
}

const DEFAULT_COUNT = 50;
const MAX_COUNT = 1000;

/** read, vread and history (instance, type, system) as FHIR answers them. */
export class ResourceReader {
  constructor(private readonly repository: ResourceRepository) {}

  async read<T extends Resource = Resource>(sql: Queryable, resourceType: string, id: string): Promise<T> {
    const current = await this.repository.read(sql, resourceType, id);
    if (!current) throw notFound(`${resourceType}/${id} not found`);
    if (current.deleted || !current.content) throw gone(`${resourceType}/${id} was deleted`);
    return current.content as T;
  }

  async vread<T extends Resource = Resource>(
    sql: Queryable,
    resourceType: string,
    id: string,
    versionId: string | number,
  ): Promise<T> {
    const version = Number(versionId);
    if (!Number.isInteger(version) || version < 1)
      throw notFound(`${resourceType}/${id}/_history/${versionId} not found`);
    const row = await this.repository.readVersion(sql, resourceType, id, version);
    if (!row) throw notFound(`${resourceType}/${id}/_history/${versionId} not found`);
    if (row.deleted || !row.content) throw gone(`${resourceType}/${id}/_history/${versionId} is a deletion`);
    return row.content as T;
  }

  /** A `history` Bundle, newest first, with a `next` link while more versions remain. */
  async history(
    sql: Queryable,
    scope: { resourceType?: string; id?: string },
    options: HistoryOptions = {},
  ): Promise<Bundle> {
    if (scope.resourceType && !isKnownResourceType(scope.resourceType)) {
      throw badRequest(`Unknown resource type '${scope.resourceType}'`);
    }
    const count = Math.min(Math.max(options.count ?? DEFAULT_COUNT, 1), MAX_COUNT);
    const since = options.since === undefined ? undefined : parseInstant(options.since);
    const rows = await this.repository.history(sql, {
      ...scope,
      since,
      before: options.cursor ? decodeCursor(options.cursor) : undefined,
      limit: count + 1,
      consent: options.consent,
    });
    if (scope.id && scope.resourceType && rows.length === 0 && !options.cursor && !since) {
      if (!(await this.repository.read(sql, scope.resourceType, scope.id)))
        throw notFound(`${scope.resourceType}/${scope.id} not found`);
    }
    const page = rows.slice(0, count);
    const base = (options.baseUrl ?? '').replace(/\/$/, '');
    const path = [scope.resourceType, scope.id].filter(Boolean).join('/');
    const self = `${base}/${path ? `${path}/` : ''}_history`;
    const params = (extra: Record<string, string>) =>
      new URLSearchParams({
        ...(options.since ? { _since: options.since } : {}),
        _count: String(count),
        ...extra,
      }).toString();
    const link: Bundle['link'] = [
      { relation: 'self', url: `${self}?${params(options.cursor ? { _cursor: options.cursor } : {})}` },
    ];
    if (rows.length > count)
      link.push({
        relation: 'next',
        url: `${self}?${params({ _cursor: encodeCursor(page[page.length - 1]) })}`,
      });
    return {
      resourceType: 'Bundle',
      type: 'history',
      link,
      entry: page.map((row) => historyEntry(row, base)),
    };
  }
}

function historyEntry(row: HistoryRow, base: string): BundleEntry {
  const url = `${row.resource_type}/${row.id}`;
  const method = row.deleted ? 'DELETE' : row.version_id === 1 ? 'POST' : 'PUT';
  return {
    fullUrl: `${base ? `${base}/` : ''}${url}`,
    ...(row.content && !row.deleted ? { resource: row.content as FhirResource } : {}),
    request: { method, url: method === 'POST' ? row.resource_type : url },
    response: {
      status: row.deleted ? '204 No Content' : row.version_id === 1 ? '201 Created' : '200 OK',
      etag: etagOf(row.version_id),
      lastModified: row.last_updated.toISOString(),
    },
  };
}

function parseInstant(value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime()))
    throw badRequest(`Invalid _since '${value}'`);
  return date;
}

function encodeCursor(row: HistoryRow): string {
  return Buffer.from(
    JSON.stringify([row.last_updated.toISOString(), row.resource_type, row.id, row.version_id]),
  ).toString('base64url');
}

function decodeCursor(cursor: string): {
  lastUpdated: string;
  resourceType: string;
  id: string;
  versionId: number;
} {
  try {
    const [lastUpdated, resourceType, id, versionId] = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    ) as [string, string, string, number];
    if (
      typeof lastUpdated !== 'string' ||
      typeof resourceType !== 'string' ||
      typeof id !== 'string' ||
      typeof versionId !== 'number'
    )
      throw new Error();
    return { lastUpdated, resourceType, id, versionId };
  } catch {
    throw badRequest('Invalid history _cursor');
  }
}
