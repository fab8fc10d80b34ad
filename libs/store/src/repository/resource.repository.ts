import type { ConsentRestriction } from '@continuum/fhir';
import type { Resource } from 'fhir/r4';
import type postgres from 'postgres';
import { visibleUnderConsent } from '../consent/consent-directive.sql';
import type { PlannedVersion, Queryable, StoredResource } from '../store.types';

interface CurrentRow {
  resource_type: string;
  id: string;
  resource_key: string;
  version_id: number;
  last_updated: Date;
  deleted: boolean;
  source_system: string | null;
  source_updated: Date | null;
  content: Resource | null;
}

export interface HistoryRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  deleted: boolean;
  content: Resource | null;
}

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  since?: Date;
  /** Keyset position: rows strictly older than this one. */
  before?: { lastUpdated: string; resourceType: string; id: string; versionId: number };
  limit: number;
  /** Leaves out the versions of resources whose patients (as the current row has them) these directives hide. */
  consent?: ConsentRestriction;
}

/**
 * Every statement on the resource tables, and nothing else: no FHIR rules here. Writes take arrays (unnest), so a
 * single write and an ingestion batch go through the same SQL.
 */
export class ResourceRepository {
  async read(sql: Queryable, resourceType: string, id: string): Promise<StoredResource | undefined> {
    const [row] = await sql<CurrentRow[]>`
      SELECT resource_type, id, resource_key, version_id, last_updated, deleted, source_system, source_updated, content
      FROM resource WHERE resource_type = ${resourceType} AND id = ${id}`;
    return row && toStored(row);
  }

  /** Reads and row-locks the current version; concurrent writers of the same resource queue here. */
  async lock(
    tx: postgres.TransactionSql,
    resourceType: string,
    id: string,
  ): Promise<StoredResource | undefined> {
    const [row] = await tx<CurrentRow[]>`
      SELECT resource_type, id, resource_key, version_id, last_updated, deleted, source_system, source_updated, content
      FROM resource WHERE resource_type = ${resourceType} AND id = ${id} FOR UPDATE`;
    return row && toStored(row);
  }

  /** Locks many current rows in key order (so two batches cannot deadlock) and returns them keyed `type/id`. */
  lockMany(
    tx: postgres.TransactionSql,
    keys: { resourceType: string; id: string }[],
  ): Promise<Map<string, StoredResource>> {
    return this.readManyRows(tx, keys, tx`FOR UPDATE OF r`);
  }

  /** Reads many current rows without locking them, keyed `type/id`. */
  readMany(
    sql: Queryable,
    keys: { resourceType: string; id: string }[],
  ): Promise<Map<string, StoredResource>> {
    return this.readManyRows(sql, keys, sql``);
  }

  private async readManyRows(
    sql: Queryable,
    keys: { resourceType: string; id: string }[],
    lock: postgres.PendingQuery<postgres.Row[]>,
  ): Promise<Map<string, StoredResource>> {
    if (keys.length === 0) return new Map();
    const rows = await sql<CurrentRow[]>`
      SELECT r.resource_type, r.id, r.resource_key, r.version_id, r.last_updated, r.deleted, r.source_system,
             r.source_updated, r.content
      FROM resource r
      JOIN unnest(${keys.map((key) => key.resourceType)}::text[], ${keys.map((key) => key.id)}::text[]) AS k(resource_type, id)
        ON r.resource_type = k.resource_type AND r.id = k.id
      ORDER BY r.resource_type, r.id
      ${lock}`;
    return new Map(rows.map((row) => [`${row.resource_type}/${row.id}`, toStored(row)]));
  }

  async readVersion(
    sql: Queryable,
    resourceType: string,
    id: string,
    versionId: number,
  ): Promise<HistoryRow | undefined> {
    const [row] = await sql<HistoryRow[]>`
      SELECT resource_type, id, version_id, last_updated, deleted, content
      FROM resource_history WHERE resource_type = ${resourceType} AND id = ${id} AND version_id = ${versionId}`;
    return row;
  }

  /** Newest first; ties on last_updated broken by type, id and version so paging is stable. */
  async history(sql: Queryable, query: HistoryQuery): Promise<HistoryRow[]> {
    const { resourceType, id, since, before, limit, consent } = query;
    return sql<HistoryRow[]>`
      SELECT h.resource_type, h.id, h.version_id, h.last_updated, h.deleted, h.content
      FROM resource_history h
      WHERE true
        ${resourceType ? sql`AND h.resource_type = ${resourceType}` : sql``}
        ${id ? sql`AND h.id = ${id}` : sql``}
        ${since ? sql`AND h.last_updated >= ${since}` : sql``}
        ${
          before
            ? sql`AND (h.last_updated, h.resource_type, h.id, h.version_id) < (${before.lastUpdated}::timestamptz, ${before.resourceType}, ${before.id}, ${before.versionId})`
            : sql``
        }
        ${
          consent
            ? sql`AND NOT EXISTS (SELECT 1 FROM resource r WHERE r.resource_type = h.resource_type AND r.id = h.id
                AND NOT ${visibleUnderConsent(sql, 'r', consent)})`
            : sql``
        }
      ORDER BY h.last_updated DESC, h.resource_type DESC, h.id DESC, h.version_id DESC
      LIMIT ${limit}`;
  }

  /**
   * Writes the current rows of planned versions. A row is written only if it is new or still at the version the
   * plan was made from (`version_id = planned - 1`), so a plan made on stale data cannot overwrite newer data.
   * Returns the written rows with their resource keys (allocated for new resources).
   */
  async writeCurrent(tx: postgres.TransactionSql, versions: PlannedVersion[]): Promise<Map<string, string>> {
    const rows = await tx<{ resource_type: string; id: string; resource_key: string }[]>`
      INSERT INTO resource AS r
        (resource_type, id, resource_key, version_id, last_updated, deleted, source_system, source_updated, compartments, content)
      SELECT t, i, coalesce(k, nextval('resource_key_seq')), v, lu, d, ss, su,
             ARRAY(SELECT jsonb_array_elements_text(c)), co
      FROM unnest(
        ${versions.map((v) => v.resourceType)}::text[],
        ${versions.map((v) => v.id)}::text[],
        ${versions.map((v) => v.resourceKey)}::bigint[],
        ${versions.map((v) => v.versionId)}::int[],
        ${versions.map((v) => v.lastUpdated.toISOString())}::timestamptz[],
        ${versions.map((v) => v.content === null)}::bool[],
        ${versions.map((v) => v.sourceSystem)}::text[],
        ${versions.map((v) => v.sourceUpdated?.toISOString() ?? null)}::timestamptz[],
        ${versions.map((v) => JSON.stringify(v.compartments))}::text[]::jsonb[],
        ${versions.map((v) => (v.content ? JSON.stringify(v.content) : null))}::text[]::jsonb[]
      ) AS x(t, i, k, v, lu, d, ss, su, c, co)
      ON CONFLICT (resource_type, id) DO UPDATE SET
        version_id = excluded.version_id,
        last_updated = excluded.last_updated,
        deleted = excluded.deleted,
        source_system = excluded.source_system,
        source_updated = excluded.source_updated,
        compartments = excluded.compartments,
        content = excluded.content
      WHERE r.version_id = excluded.version_id - 1
      RETURNING resource_type, id, resource_key`;
    return new Map(rows.map((row) => [`${row.resource_type}/${row.id}`, row.resource_key]));
  }

  /**
   * History rows of versions just written by `writeCurrent` in this transaction, copied from their current rows
   * (locked by that write): the content is serialised, sent and parsed into jsonb once, not twice.
   */
  async appendHistory(tx: postgres.TransactionSql, versions: PlannedVersion[]): Promise<void> {
    const inserted = await tx`
      INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, source_system, request_id, content)
      SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.source_system, x.request_id, r.content
      FROM unnest(
        ${versions.map((v) => v.resourceType)}::text[],
        ${versions.map((v) => v.id)}::text[],
        ${versions.map((v) => v.versionId)}::int[],
        ${versions.map((v) => v.requestId)}::text[]
      ) AS x(resource_type, id, version_id, request_id)
      JOIN resource r ON r.resource_type = x.resource_type AND r.id = x.id AND r.version_id = x.version_id`;
    if (inserted.count !== versions.length)
      throw new Error(`history: ${inserted.count} of ${versions.length} written versions found in resource`);
  }

  /** The outbox rows, in the same transaction as the change (tx_id defaults to the writing transaction). */
  async appendChanges(
    tx: postgres.TransactionSql,
    versions: (PlannedVersion & { resourceKey: string })[],
  ): Promise<void> {
    await tx`
      INSERT INTO resource_change (resource_type, id, resource_key, version_id, operation, changed_at, source_system, request_id)
      SELECT * FROM unnest(
        ${versions.map((v) => v.resourceType)}::text[],
        ${versions.map((v) => v.id)}::text[],
        ${versions.map((v) => v.resourceKey)}::bigint[],
        ${versions.map((v) => v.versionId)}::int[],
        ${versions.map((v) => v.operation)}::text[],
        ${versions.map((v) => v.lastUpdated.toISOString())}::timestamptz[],
        ${versions.map((v) => v.sourceSystem)}::text[],
        ${versions.map((v) => v.requestId)}::text[]
      )`;
  }

  /** Serialises conditional writes with the same criteria until the transaction ends. */
  async lockCriteria(tx: postgres.TransactionSql, key: string): Promise<void> {
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
  }
}

function toStored(row: CurrentRow): StoredResource {
  return {
    resourceType: row.resource_type,
    id: row.id,
    resourceKey: row.resource_key,
    versionId: row.version_id,
    lastUpdated: row.last_updated,
    deleted: row.deleted,
    sourceSystem: row.source_system,
    sourceUpdated: row.source_updated,
    content: row.content,
  };
}
