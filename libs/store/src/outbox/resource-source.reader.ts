import type { StoredResource } from '../store.types';
import type postgres from 'postgres';

export interface ResourceRef {
  resourceType: string;
  id: string;
}

/** The current row of a resource as search indexing needs it (a deleted one has no content). */
export type CurrentResource = Omit<StoredResource, 'sourceUpdated'>;

export interface VersionEntry {
  id: string;
  versionId: number;
  deleted: boolean;
}

/** Which resource types a scan covers: some by name, or all but some. */
export type TypeSelection = { include: string[] } | { exclude: string[] };

/**
 * Reads of the `resource` table for the search index: current rows by reference (what the change consumer
 * indexes), a keyset scan by resource_key for rebuilds, and per-type counts and (id, version) lists for the
 * consistency check. Read-only; each statement is bounded by a LIMIT.
 */
export class ResourceSourceReader {
  constructor(private readonly sql: postgres.Sql) {}

  /** The current rows of these resources in one statement; unknown references are simply absent. */
  async loadCurrent(refs: readonly ResourceRef[]): Promise<CurrentResource[]> {
    if (refs.length === 0) return [];
    return this.sql<CurrentResource[]>`
      SELECT r.resource_type AS "resourceType", r.id, r.resource_key AS "resourceKey", r.version_id AS "versionId",
             r.last_updated AS "lastUpdated", r.deleted, r.source_system AS "sourceSystem", r.content
      FROM resource r
      JOIN unnest(${refs.map((ref) => ref.resourceType)}::text[], ${refs.map((ref) => ref.id)}::text[]) AS k(t, i)
        ON r.resource_type = k.t AND r.id = k.i`;
  }

  /** Every current row of the selected types, deleted ones included, in resource_key order, page by page. */
  async *scan(types: TypeSelection, pageSize: number): AsyncGenerator<CurrentResource[]> {
    let after = '-1';
    for (;;) {
      const page = await this.sql<CurrentResource[]>`
        SELECT resource_type AS "resourceType", id, resource_key AS "resourceKey", version_id AS "versionId",
               last_updated AS "lastUpdated", deleted, source_system AS "sourceSystem", content
        FROM resource
        WHERE resource_key > ${after}::bigint AND ${this.typeFilter(types)}
        ORDER BY resource_key
        LIMIT ${pageSize}`;
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1].resourceKey;
      if (page.length < pageSize) return;
    }
  }

  /** Rows per resource type of the selection: all of them, and those not deleted. */
  async countByType(types: TypeSelection): Promise<Map<string, { total: number; live: number }>> {
    const rows = await this.sql<{ resource_type: string; total: string; live: string }[]>`
      SELECT resource_type, count(*) AS total, count(*) FILTER (WHERE NOT deleted) AS live
      FROM resource WHERE ${this.typeFilter(types)}
      GROUP BY resource_type`;
    return new Map(
      rows.map((row) => [row.resource_type, { total: Number(row.total), live: Number(row.live) }]),
    );
  }

  /**
   * (id, version, deleted) of every row of one type in byte order of the id (what Elasticsearch sorts keywords by),
   * streamed through a cursor so the sort happens once.
   */
  async *versions(resourceType: string, pageSize: number): AsyncGenerator<VersionEntry[]> {
    const cursor = this.sql<VersionEntry[]>`
      SELECT id, version_id AS "versionId", deleted FROM resource
      WHERE resource_type = ${resourceType}
      ORDER BY id COLLATE "C"`.cursor(pageSize);
    for await (const page of cursor) yield page;
  }

  private typeFilter(types: TypeSelection): postgres.PendingQuery<postgres.Row[]> {
    return 'include' in types
      ? this.sql`resource_type = ANY(${types.include}::text[])`
      : this.sql`NOT (resource_type = ANY(${types.exclude}::text[]))`;
  }
}
