import { type ConsentRestriction, LOCATING_ELEMENTS } from '@continuum/fhir';
import type postgres from 'postgres';
import { visibleUnderConsentForScans } from '../consent/consent-directive.sql';
import { rowOfRestrictedPerson } from '../restricted/restricted-person.sql';
import type { StoredResource } from '../store.types';
import { reserveForScan } from './scan-connection';

export interface ResourceRef {
  resourceType: string;
  id: string;
}

/**
 * The current row of a resource as search indexing needs it (a deleted one has no content). `restrictedPerson`: a
 * resource holding locating details (Patient, RelatedPerson, Person) of a restricted (S-flag) person, decided in
 * SQL as the row is read, so its search document leaves those details out.
 */
export type CurrentResource = Omit<StoredResource, 'sourceUpdated'> & { restrictedPerson: boolean };

/** Pages per scan statement (ResourceSourceReader.scanPages). */
const SEGMENT_PAGES = 20;

/** Types whose rows are checked for a restricted person (the others never carry locating details). */
const LOCATING_TYPES = Object.keys(LOCATING_ELEMENTS);

export interface VersionEntry {
  id: string;
  versionId: number;
  deleted: boolean;
}

/** Which resource types a scan covers: some by name, or all but some. */
export type TypeSelection = { include: string[] } | { exclude: string[] };

/** What a scan of the store reads: the population, or a cohort, of some types, optionally in a time window. */
export interface ScanOptions {
  /** Default: every type. */
  types?: TypeSelection;
  /** Only rows last updated after this instant (exclusive: a `_since` export's next starting point). */
  since?: Date;
  /** Only rows last updated at or before this instant (an export's `transactionTime`). */
  until?: Date;
  /** Only these patients' compartments. */
  compartment?: { patientIds: string[] };
  /** Only resources in some patient's compartment (a Patient-level export of every patient). */
  inSomeCompartment?: boolean;
  /** Starts after this resource_key (a resumed export's stored keyset position); default the beginning. */
  afterKey?: string;
  /** Leaves out the patients these consent directives hide (the secured store's caller's view). */
  consent?: ConsentRestriction;
  /** Deleted rows too (their content is null); default false. */
  includeDeleted?: boolean;
  /** Rows per page; default 1000. */
  pageSize?: number;
  /**
   * The stored JSON as text (`contentText`) instead of parsed (`content` null): an export writes it as it is,
   * without parsing and serialising every resource again.
   */
  contentAsText?: boolean;
  /**
   * Postgres joins the rows an export writes untouched into NDJSON chunks (`ScannedChunk`): live rows of no
   * restricted person, of types other than `rowTypes` (those that a `_typeFilter` or `_elements` changes).
   * Implies `contentAsText` for the rows that stay rows.
   */
  ndjsonChunks?: { rowTypes: string[] };
}

/** A scanned row: the current resource and the patients whose compartments hold it (for consent and audit). */
export interface ScannedResource extends CurrentResource {
  compartments: string[];
  /** The stored JSON, when the scan asked for text (`contentAsText`). */
  contentText?: string | null;
}

/**
 * Consecutive rows of one type in a page, joined by Postgres into NDJSON (one stored JSON text a line, without the
 * last newline), so a page reaches Node as a few strings rather than a thousand: `count` rows, `resourceKey` the last
 * one's, `compartments` the distinct patients whose compartments hold any of them (for consent and audit).
 */
export interface ScannedChunk {
  resourceType: string;
  resourceKey: string;
  ndjson: string;
  count: number;
  compartments: string[];
}

/** An item of a scan's page: a row, or (with `ndjsonChunks`) a chunk of rows. */
export type ScannedItem = ScannedResource | ScannedChunk;

export function isChunk(item: ScannedItem): item is ScannedChunk {
  return 'ndjson' in item;
}

/** How many rows an item stands for. */
export function rowsIn(item: ScannedItem): number {
  return isChunk(item) ? item.count : 1;
}

/** A chunked segment's item as read: its page's number in the segment, and its chunk columns (null for a row). */
type SegmentItem = ScannedResource & { page: number; ndjson: string | null; count: number };

/**
 * Bulk reads of the `resource` table: current rows by reference (what the change consumer indexes), keyset scans by
 * resource_key (index rebuilds, and the record's `scan` for exports and views), and per-type counts and
 * (id, version) lists for the index consistency check. Read-only; each statement is bounded by a LIMIT.
 */
export class ResourceSourceReader {
  constructor(private readonly sql: postgres.Sql) {}

  /** The current rows of these resources in one statement; unknown references are simply absent. */
  async loadCurrent(refs: readonly ResourceRef[]): Promise<CurrentResource[]> {
    if (refs.length === 0) return [];
    return this.sql<CurrentResource[]>`
      SELECT r.resource_type AS "resourceType", r.id, r.resource_key AS "resourceKey", r.version_id AS "versionId",
             r.last_updated AS "lastUpdated", r.deleted, r.source_system AS "sourceSystem", r.content,
             ${this.restrictedPerson(this.sql, 'r')} AS "restrictedPerson"
      FROM resource r
      JOIN unnest(${refs.map((ref) => ref.resourceType)}::text[], ${refs.map((ref) => ref.id)}::text[]) AS k(t, i)
        ON r.resource_type = k.t AND r.id = k.i`;
  }

  /** Every current row of the selected types, deleted ones included, in resource_key order, page by page. */
  scan(types: TypeSelection, pageSize: number): AsyncGenerator<ScannedResource[]> {
    return this.scanPages({ types, pageSize, includeDeleted: true }) as AsyncGenerator<ScannedResource[]>;
  }

  /**
   * The rows a scan selects, in resource_key order, page by page: memory stays flat whatever the store's size, and
   * a page read is never repeated. Each statement covers a segment of `SEGMENT_PAGES` pages read through a cursor
   * (planned once, not per page: on the partitioned table planning cost as much as reading a page), then the next
   * segment starts after its last key, so a long scan sees consent changes and new rows segment by segment rather
   * than holding one snapshot for hours. It runs on a connection of its own (reserveForScan: JIT off).
   */
  async *scanPages(options: ScanOptions = {}): AsyncGenerator<ScannedItem[]> {
    const pageSize = options.pageSize ?? 1000;
    const segmentRows = pageSize * SEGMENT_PAGES;
    let after = options.afterKey ?? '-1';
    const { connection, release } = await reserveForScan(this.sql);
    // a reserved connection builds queries and fragments as the pool does (its type lacks the pool's extras)
    const sql = connection as unknown as postgres.Sql;
    try {
      for (;;) {
        let read = 0;
        const pages = options.ndjsonChunks
          ? this.chunkedPages(sql, options, options.ndjsonChunks.rowTypes, after, pageSize, segmentRows)
          : this.selection(sql, options, after, segmentRows).cursor(pageSize);
        for await (const page of pages) {
          read += page.reduce((rows, item) => rows + rowsIn(item), 0);
          after = page[page.length - 1].resourceKey;
          yield page;
        }
        if (read < segmentRows) return;
      }
    } finally {
      await release();
    }
  }

  /** One segment's pages, their untouched rows joined into chunks by the statement (ScanOptions.ndjsonChunks). */
  private async *chunkedPages(
    sql: postgres.Sql,
    options: ScanOptions,
    rowTypes: string[],
    after: string,
    pageSize: number,
    limit: number,
  ): AsyncGenerator<ScannedItem[]> {
    let page: ScannedItem[] = [];
    let current = 0;
    for await (const batch of this.chunkedSelection(sql, options, rowTypes, after, pageSize, limit).cursor(200)) {
      for (const { page: number, ndjson, count, ...row } of batch) {
        if (number !== current && page.length) {
          yield page;
          page = [];
        }
        current = number;
        page.push(
          ndjson === null
            ? row
            : { resourceType: row.resourceType, resourceKey: row.resourceKey, ndjson, count, compartments: row.compartments },
        );
      }
    }
    if (page.length) yield page;
  }

  /**
   * A segment as `selection` reads it, cut into pages of `pageSize` rows; within a page, each run of consecutive
   * rows of a type that are written untouched (live, not a restricted person's, not of `rowTypes`) becomes one chunk
   * (string_agg of the stored JSON texts, the distinct compartment owners), the other rows stay rows. Items come in
   * order of their last key: a page's last item holds its last key (the resume position), and a type's runs and
   * rows do not interleave, so its file keeps the order rows would have given it.
   */
  private chunkedSelection(
    sql: postgres.Sql,
    options: ScanOptions,
    rowTypes: string[],
    after: string,
    pageSize: number,
    limit: number,
  ): postgres.PendingQuery<SegmentItem[]> {
    const rows = this.selection(sql, { ...options, contentAsText: true }, after, limit);
    return sql<SegmentItem[]>`
      WITH segment AS (
        SELECT s.*, ((row_number() OVER (ORDER BY s."resourceKey") - 1) / ${pageSize})::int AS page,
               (s.deleted OR s."restrictedPerson" OR s."resourceType" = ANY(${rowTypes}::text[])) AS as_row
        FROM (${rows}) s
      ),
      runs AS (
        SELECT segment.*, count(*) FILTER (WHERE as_row)
                 OVER (PARTITION BY page, "resourceType" ORDER BY "resourceKey") AS run
        FROM segment
      ),
      owners AS (
        SELECT page, "resourceType", run, array_agg(DISTINCT owner) AS compartments
        FROM runs, unnest(compartments) AS owner
        WHERE NOT as_row
        GROUP BY page, "resourceType", run
      )
      SELECT page, "resourceType", id, "resourceKey", "versionId", "lastUpdated", deleted, "sourceSystem",
             compartments, content, "contentText", "restrictedPerson", NULL::text AS ndjson, 1 AS count
      FROM runs WHERE as_row
      UNION ALL
      SELECT c.page, c."resourceType", NULL, c."resourceKey", NULL, NULL, false, NULL,
             coalesce(o.compartments, '{}'), NULL, NULL, false, c.ndjson, c.count
      FROM (
        SELECT page, "resourceType", run, max("resourceKey") AS "resourceKey",
               string_agg("contentText", E'\n' ORDER BY "resourceKey") AS ndjson, count(*)::int AS count
        FROM runs WHERE NOT as_row
        GROUP BY page, "resourceType", run
      ) c
      LEFT JOIN owners o USING (page, "resourceType", run)
      ORDER BY page, "resourceKey"`;
  }

  /** One segment of a scan: at most `limit` selected rows after the key, in key order. */
  private selection(
    sql: postgres.Sql,
    options: ScanOptions,
    after: string,
    limit: number,
  ): postgres.PendingQuery<ScannedResource[]> {
    const { since, until, compartment, consent } = options;
    return sql<ScannedResource[]>`
      SELECT resource_type AS "resourceType", id, resource_key AS "resourceKey", version_id AS "versionId",
             last_updated AS "lastUpdated", deleted, source_system AS "sourceSystem", compartments,
             ${options.contentAsText ? sql`NULL::jsonb AS content, content::text AS "contentText"` : sql`content`},
             ${this.restrictedPerson(sql, 'resource')} AS "restrictedPerson"
      FROM resource
      WHERE resource_key > ${after}::bigint AND ${typeFilter(sql, options.types ?? { exclude: [] })}
        ${options.includeDeleted ? sql`` : sql`AND NOT deleted`}
        ${since ? sql`AND last_updated > ${since}` : sql``}
        ${until ? sql`AND last_updated <= ${until}` : sql``}
        ${compartment ? sql`AND compartments && ${compartment.patientIds}::text[]` : sql``}
        ${options.inSomeCompartment ? sql`AND compartments <> '{}'` : sql``}
        ${consent ? sql`AND ${visibleUnderConsentForScans(sql, 'resource', consent)}` : sql``}
      ORDER BY resource_key
      LIMIT ${limit}`;
  }

  /** Rows per resource type of the selection: all of them, and those not deleted. */
  async countByType(types: TypeSelection): Promise<Map<string, { total: number; live: number }>> {
    const rows = await this.sql<{ resource_type: string; total: string; live: string }[]>`
      SELECT resource_type, count(*) AS total, count(*) FILTER (WHERE NOT deleted) AS live
      FROM resource WHERE ${typeFilter(this.sql, types)}
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

  private restrictedPerson(sql: postgres.Sql, row: string): postgres.Fragment {
    return sql`(${sql(row)}.resource_type = ANY(${LOCATING_TYPES}::text[])
      AND ${rowOfRestrictedPerson(sql, row)})`;
  }
}

function typeFilter(sql: postgres.Sql, types: TypeSelection): postgres.PendingQuery<postgres.Row[]> {
  return 'include' in types
    ? sql`resource_type = ANY(${types.include}::text[])`
    : sql`NOT (resource_type = ANY(${types.exclude}::text[]))`;
}
