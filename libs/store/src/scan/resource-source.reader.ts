import { type ConsentRestriction, LOCATING_ELEMENTS } from '@continuum/fhir';
import type postgres from 'postgres';
import { visibleUnderConsentForScans } from '../consent/consent-directive.sql';
import { rowOfRestrictedPerson } from '../restricted/restricted-person.sql';
import type { StoredResource } from '../store.types';
import { type KeyRangeCut, rangeCount, rangeEnds } from './key-ranges';
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
  /** Ends at this resource_key, inclusive (an export slice's range); default the end. */
  upToKey?: string;
  /** Leaves out the patients these consent directives hide (the secured store's caller's view). */
  consent?: ConsentRestriction;
  /** Deleted rows too (their content is null); default false. */
  includeDeleted?: boolean;
  /** Rows per page; default 1000. */
  pageSize?: number;
  /**
   * The stored JSON as its UTF-8 bytes (`contentBytes`) instead of parsed (`content` null): an export writes them as
   * they are, without decoding, parsing, serialising and encoding every resource again.
   */
  contentAsBytes?: boolean;
}

/** Keys that cut a scan's selection into ranges of about equal rows, and the selection's estimated size. */
export interface ScanBoundaries {
  /** Ascending; each ends a range (inclusive), the last range running to the end. */
  boundaries: string[];
  estimatedRows: number;
}

/** A scanned row: the current resource and the patients whose compartments hold it (for consent and audit). */
export interface ScannedResource extends CurrentResource {
  compartments: string[];
  /** The stored JSON's UTF-8 bytes, when the scan asked for them (`contentAsBytes`). */
  contentBytes?: Buffer | null;
}

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
    return this.scanPages({ types, pageSize, includeDeleted: true });
  }

  /**
   * The rows a scan selects, in resource_key order, page by page: memory stays flat whatever the store's size, and
   * a page read is never repeated. Each statement covers a segment of `SEGMENT_PAGES` pages read through a cursor
   * (planned once, not per page: on the partitioned table planning cost as much as reading a page), then the next
   * segment starts after its last key, so a long scan sees consent changes and new rows segment by segment rather
   * than holding one snapshot for hours. It runs on a connection of its own (reserveForScan: JIT off).
   */
  async *scanPages(options: ScanOptions = {}): AsyncGenerator<ScannedResource[]> {
    const pageSize = options.pageSize ?? 1000;
    const segmentRows = pageSize * SEGMENT_PAGES;
    let after = options.afterKey ?? '-1';
    const { connection, release } = await reserveForScan(this.sql);
    try {
      for (;;) {
        let read = 0;
        // a reserved connection builds queries and fragments as the pool does (its type lacks the pool's extras)
        const sql = connection as unknown as postgres.Sql;
        const pages = options.contentAsBytes
          ? mapPages(this.selectionAsBytes(sql, options, after, segmentRows).raw().cursor(pageSize), rowFromBytes)
          : this.selection(sql, options, after, segmentRows).cursor(pageSize);
        for await (const page of pages) {
          read += page.length;
          after = page[page.length - 1].resourceKey;
          yield page;
        }
        if (read < segmentRows) return;
      }
    } finally {
      await release();
    }
  }

  /**
   * Keys that cut a scan's selection into ranges of about equal rows, ascending (a range ends at its key, the last
   * one at the end): how an export is sliced for several processes. Read from a sample of about `sampleRows` rows
   * (TABLESAMPLE SYSTEM, a fraction of the table's pages), so that it costs the same whatever the store's size; its
   * size gives the selection's (`estimatedRows`) and so the number of ranges.
   */
  async keyBoundaries(options: ScanOptions, cut: KeyRangeCut, sampleRows = 20_000): Promise<ScanBoundaries> {
    const [{ rows }] = await this.sql<{ rows: number }[]>`
      SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::float8 AS rows
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'resource'::regclass`;
    // the statistics may not know the table yet (never analysed): then the whole of it
    const percent = rows > 0 ? Math.min(100, Math.max(0.01, (100 * sampleRows) / rows)) : 100;
    const sample = await this.sql<{ key: string }[]>`
      SELECT resource_key AS key FROM resource TABLESAMPLE SYSTEM (${percent})
      WHERE ${this.conditions(this.sql, options)}
      ORDER BY resource_key`;
    const estimatedRows = Math.round((sample.length * 100) / percent);
    const keys = sample.map((row) => row.key);
    return { boundaries: rangeEnds(keys, rangeCount(estimatedRows, cut)), estimatedRows };
  }

  /** One segment of a scan: at most `limit` selected rows after the key, in key order. */
  private selection(
    sql: postgres.Sql,
    options: ScanOptions,
    after: string,
    limit: number,
  ): postgres.PendingQuery<ScannedResource[]> {
    return sql<ScannedResource[]>`
      SELECT resource_type AS "resourceType", id, resource_key AS "resourceKey", version_id AS "versionId",
             last_updated AS "lastUpdated", deleted, source_system AS "sourceSystem", compartments, content,
             ${this.restrictedPerson(sql, 'resource')} AS "restrictedPerson"
      FROM resource
      WHERE resource_key > ${after}::bigint AND ${this.conditions(sql, options)}
      ORDER BY resource_key
      LIMIT ${limit}`;
  }

  /**
   * The same segment as raw bytes (`rowFromBytes` reads them): the content's JSON text is never made a string, and
   * the other columns are given in forms that read from bytes without the driver's parsers.
   */
  private selectionAsBytes(
    sql: postgres.Sql,
    options: ScanOptions,
    after: string,
    limit: number,
  ): postgres.PendingQuery<postgres.Row[]> {
    return sql`
      SELECT resource_type, id, resource_key, version_id, (extract(epoch FROM last_updated) * 1000)::float8,
             deleted, source_system, array_to_string(compartments, ' '), content::text,
             ${this.restrictedPerson(sql, 'resource')}
      FROM resource
      WHERE resource_key > ${after}::bigint AND ${this.conditions(sql, options)}
      ORDER BY resource_key
      LIMIT ${limit}`;
  }

  /** What a scan selects, its starting key aside. */
  private conditions(sql: postgres.Sql, options: ScanOptions): postgres.Fragment {
    const { since, until, compartment, consent, upToKey } = options;
    return sql`${typeFilter(sql, options.types ?? { exclude: [] })}
        ${upToKey ? sql`AND resource_key <= ${upToKey}::bigint` : sql``}
        ${options.includeDeleted ? sql`` : sql`AND NOT deleted`}
        ${since ? sql`AND last_updated > ${since}` : sql``}
        ${until ? sql`AND last_updated <= ${until}` : sql``}
        ${compartment ? sql`AND compartments && ${compartment.patientIds}::text[]` : sql``}
        ${options.inSomeCompartment ? sql`AND compartments <> '{}'` : sql``}
        ${consent ? sql`AND ${visibleUnderConsentForScans(sql, 'resource', consent)}` : sql``}`;
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

/** A row of `selectionAsBytes` (ids and keys are ASCII; compartments are ids, which hold no space). */
function rowFromBytes(values: (Buffer | null)[]): ScannedResource {
  const [type, id, key, version, lastUpdated, deleted, sourceSystem, compartments, content, restricted] = values;
  const text = (value: Buffer | null) => (value as Buffer).toString('latin1');
  const flag = (value: Buffer | null) => value?.[0] === 0x74; // 't'
  const inCompartments = compartments?.length ? compartments.toString('latin1').split(' ') : [];
  return {
    resourceType: text(type),
    id: text(id),
    resourceKey: text(key),
    versionId: Number(text(version)),
    lastUpdated: new Date(Number(text(lastUpdated))),
    deleted: flag(deleted),
    sourceSystem: sourceSystem ? sourceSystem.toString('utf8') : null,
    compartments: inCompartments,
    content: null,
    contentBytes: content,
    restrictedPerson: flag(restricted),
  };
}

async function* mapPages<T, R>(pages: AsyncIterable<T[]>, map: (row: T) => R): AsyncGenerator<R[]> {
  for await (const page of pages) yield page.map(map);
}

function typeFilter(sql: postgres.Sql, types: TypeSelection): postgres.PendingQuery<postgres.Row[]> {
  return 'include' in types
    ? sql`resource_type = ANY(${types.include}::text[])`
    : sql`NOT (resource_type = ANY(${types.exclude}::text[]))`;
}
