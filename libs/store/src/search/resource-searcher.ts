import {
  applyElements,
  applySummary,
  type ConsentRestriction,
  type IncludeSpec,
  patientsPinnedBy,
  type SearchFilter,
  type SearchRequest,
  usesLocatingParameter,
} from '@continuum/fhir';
import type { OperationOutcome, Resource } from 'fhir/r4';
import { visibleUnderConsent } from '../consent/consent-directive.sql';
import { rowOfRestrictedPerson } from '../restricted/restricted-person.sql';
import { type FilterContext, filterCondition, isCheckedOnKeys, keysMeetingAll } from './filter.sql';
import {
  type FoundRow,
  includeTargets,
  referencedSharedResources,
  revincludeSources,
  ROW_COLUMNS,
} from './include.sql';
import { afterCursor, decodeCursor, encodeCursor, orderBy, sortExpression } from './sort.sql';
import { Aliases, type Fragment, join, type Sql } from './sql-fragments';

export interface FoundResource {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  content: Resource;
  /** The patients whose compartments hold it (the stored column, whatever `_elements` left in `content`). */
  compartments?: string[];
}

export interface SearchResult {
  matches: FoundResource[];
  /** `_include` / `_revinclude` results (search.mode = include), none of them also a match. */
  included: FoundResource[];
  total?: number;
  /** Cursor for the next page (`_cursor`), absent on the last page. */
  next?: string;
  /** Ignored parameters and other warnings, for an entry with search.mode = outcome. */
  outcome?: OperationOutcome;
}

export interface SearchOptions {
  sql?: Sql;
  baseUrl?: string;
  /** Restricts matches and includes to these patients' compartments ($everything, SMART patient/ scopes). */
  compartment?: { patientIds: string[] };
  /** System-level search over these types (`_type`); overrides the request's own. */
  types?: string[];
  /**
   * Also include what the page's matches reference outside every patient's compartment (Practitioner,
   * Organization, Location, Medication): `$everything` returns a record together with what it points at.
   */
  includeReferencedSharedResources?: boolean;
  /**
   * Leaves out the resources of patients whose consent directives hide them under this restriction (the secured
   * store's caller's view), in SQL: matches, totals and `_summary=count`, includes and `_revinclude`s, and what a
   * chain or `_has` may reach. The searcher applies it without knowing why (libs/security decides who sees what).
   */
  consent?: ConsentRestriction;
  /**
   * Leaves out restricted (S-flag) people and their records. Always applied when the search finds people by where
   * they live or how to reach them (address, postcode, GP, telecom: `usesLocatingParameter`); a caller sets it when
   * its candidates came from such criteria elsewhere (Elasticsearch patient finding with a postcode).
   */
  excludeRestrictedPeople?: boolean;
}

/**
 * The patients whose compartments hold every possible match: the compartment asked for, narrowed by the patients the
 * search's filters pin it to (single-type searches); undefined when nothing pins the search.
 */
function candidatePatients(request: SearchRequest, options: SearchOptions): string[] | undefined {
  const pinned = request.resourceType
    ? patientsPinnedBy(request.resourceType, request.filters, { baseUrl: options.baseUrl })
    : undefined;
  const asked = options.compartment?.patientIds;
  if (!pinned) return asked;
  return asked ? pinned.filter((id) => asked.includes(id)) : pinned;
}

/**
 * Up to this many index rows expected for its most selective parameter, a whole-population search with several
 * filters is composed on keys, each key probed for the other filters (a few milliseconds per thousand keys).
 */
const MAX_KEYS_COMPOSED = 20_000;

export interface SearcherTuning {
  /** Overrides MAX_KEYS_COMPOSED (tests). */
  maxKeysComposed?: number;
}

/** Bounds on `_include:iterate` so that a cyclic graph cannot run away. */
const MAX_INCLUDE_ROUNDS = 4;
const MAX_INCLUDED = 1000;

/**
 * FHIR search on the Postgres index (docs/search-design.md): one parameterised statement for the page, keyset
 * paging on (sort keys, resource_key), then one statement per include round.
 */
export class ResourceSearcher {
  constructor(
    private readonly defaultSql?: Sql,
    private readonly tuning: SearcherTuning = {},
  ) {}

  async search(request: SearchRequest, options: SearchOptions = {}): Promise<SearchResult> {
    const sql = options.sql ?? this.defaultSql;
    if (!sql) throw new Error('ResourceSearcher needs a postgres.js connection (constructor or options.sql)');
    const types = request.resourceType ? [request.resourceType] : (options.types ?? request.types);
    const { consent } = options;
    const visible = consent ? (row: string) => visibleUnderConsent(sql, row, consent) : undefined;
    const restriction = (row: string): Fragment =>
      join(
        sql,
        [
          ...(options.compartment
            ? [sql`${sql(row)}.compartments && ${options.compartment.patientIds}::text[]`]
            : []),
          ...(visible ? [visible(row)] : []),
        ],
        'AND',
      );
    const typeCondition = (column: Fragment) =>
      types?.length === 1
        ? sql`${column} = ${types[0]}::text`
        : types
          ? sql`${column} = ANY(${types}::text[])`
          : sql`true`;
    // A compartment is one person's records (hundreds to a few thousand rows): found first through the
    // compartments GIN index, behind an optimisation fence (OFFSET 0), then filtered and sorted. Left to itself the
    // planner walks a large type's rows in resource_key order hoping to meet the person's early, which is seconds
    // at a million resources.
    // A search pinned to patients by its own filters (`Observation?patient=123&code=…`) is planned the same way: the
    // compartments are a superset of what the filter matches, and the filter still applies.
    const patients = candidatePatients(request, options);
    // Within those few rows, chains and `_has` are checked row by row (filter.sql.ts, `perRow`): left to choose,
    // Postgres can drive a chain from the target type instead (every Patient, every reference), which ran to the
    // statement timeout at 100k resources.
    const ctx = {
      sql,
      aliases: new Aliases(),
      baseUrl: options.baseUrl,
      now: Date.now(),
      visible,
      perRow: patients !== undefined,
    };
    const composedOnKeys = await this.composedOnKeys(
      sql,
      ctx,
      request.filters,
      !patients && types?.length === 1 ? types[0] : undefined,
    );
    const onRows = request.filters.filter((filter) => !composedOnKeys.includes(filter));
    const from = patients
      ? sql`(SELECT * FROM resource WHERE ${typeCondition(sql`resource_type`)}
              AND compartments && ${patients}::text[] OFFSET 0)`
      : sql`resource`;
    const where = join(
      sql,
      [
        typeCondition(sql`r.resource_type`),
        sql`NOT r.deleted`,
        ...(visible ? [visible('r')] : []),
        ...(options.excludeRestrictedPeople || usesLocatingParameter(request.filters)
          ? [sql`NOT ${rowOfRestrictedPerson(sql, 'r')}`]
          : []),
        ...(composedOnKeys.length && types
          ? [sql`r.resource_key = ANY(ARRAY(${keysMeetingAll(ctx, composedOnKeys, types[0])}))`]
          : []),
        ...onRows.map((filter) => filterCondition(ctx, filter, { alias: 'r', types })),
      ],
      'AND',
    );
    const total = await this.total(sql, request, from, where);
    const count = request.summary === 'count' ? 0 : request.count;
    if (count === 0) return { matches: [], included: [], total, outcome: request.outcome };

    const sorts = request.sort.map((key) => sortExpression(sql, key, 'r', types));
    const cursor = request.cursor ? decodeCursor(request.cursor, sorts.length) : undefined;
    // The sort values are selected typed (for ORDER BY) and as text (exact, for the cursor).
    const sortColumns = sorts.reduce(
      (all, sort, i) => sql`${all}, ${sort.expression} AS ${sql(`sort_${i}`)}`,
      sql``,
    );
    const sortTexts = sorts.reduce(
      (all, _, i) => sql`${all}, ${sql(`sort_${i}`)}::text AS ${sql(`sort_text_${i}`)}`,
      sql``,
    );
    const rows = await sql<(FoundRow & Record<string, string | null>)[]>`
      SELECT page.* ${sortTexts} FROM (
        SELECT ${ROW_COLUMNS(sql, 'r')} ${sortColumns} FROM ${from} r
        WHERE ${where} ${cursor ? sql`AND (${afterCursor(sql, sorts, cursor, 'r')})` : sql``}
      ) page
      ORDER BY ${orderBy(sql, sorts, 'page')}
      LIMIT ${count + 1}::int`;
    const page = rows.slice(0, count);
    const last = page[page.length - 1];
    const next =
      rows.length > count && last
        ? encodeCursor({
            key: last.resource_key,
            values: sorts.map((_, i) => last[`sort_text_${i}`] ?? null),
          })
        : undefined;

    const included = await this.includes(sql, request, page, restriction);
    if (options.includeReferencedSharedResources && page.length) {
      const seen = new Set([...page, ...included].map((row) => `${row.resource_type}/${row.id}`));
      const shared = await referencedSharedResources(sql, page, types);
      included.push(...shared.filter((row) => !seen.has(`${row.resource_type}/${row.id}`)));
    }
    const shape = (row: FoundRow) =>
      found(row, (content) => applyElements(applySummary(content, request.summary), request.elements));
    return {
      matches: page.map(shape),
      included: included.map(shape),
      total,
      next,
      outcome: request.outcome,
    };
  }

  private async total(
    sql: Sql,
    request: SearchRequest,
    from: Fragment,
    where: Fragment,
  ): Promise<number | undefined> {
    const mode = request.summary === 'count' && request.total === 'none' ? 'accurate' : request.total;
    if (mode === 'accurate') {
      const [{ count }] = await sql<
        { count: string }[]
      >`SELECT count(*) AS count FROM ${from} r WHERE ${where}`;
      return Number(count);
    }
    // The planner's row estimate: instant on any table size, approximate by design.
    if (mode === 'estimate') return plannedRows(sql, sql`SELECT 1 FROM ${from} r WHERE ${where}`);
    return undefined;
  }

  /**
   * The filters of a search over one type's whole population to check together on keys (`keysMeetingAll`): two or
   * more key-level ones, when one of them is expected to match few index rows (the planner's estimate, a plan per
   * parameter, not run); that one drives. Each checked as an EXISTS on the row, the planner multiplies their
   * selectivities as if independent; when that says matches are common it walks the type's rows in key order hoping
   * to fill the page early, and where they are in fact rare (the organisation-wide encounter search at a million) it
   * reads tens of thousands of rows for a page. Composed on keys, only matching rows are read, in key order
   * (docs/performance.md). When every parameter is common, matches are dense and that walk is the right plan. Inside
   * a compartment the rows are few and already found, and one filter alone the planner estimates well.
   */
  private async composedOnKeys(
    sql: Sql,
    ctx: FilterContext,
    filters: SearchFilter[],
    type: string | undefined,
  ): Promise<SearchFilter[]> {
    const onKeys = type ? filters.filter(isCheckedOnKeys) : [];
    const parameters = onKeys.filter((filter) => filter.kind === 'param');
    if (!type || !parameters.length || onKeys.length < 2) return [];
    const expected = await Promise.all(
      parameters.map((filter) => plannedRows(sql, keysMeetingAll(ctx, [filter], type))),
    );
    const fewest = expected.indexOf(Math.min(...expected));
    if (expected[fewest] > (this.tuning.maxKeysComposed ?? MAX_KEYS_COMPOSED)) return [];
    const driver = parameters[fewest];
    return [driver, ...onKeys.filter((filter) => filter !== driver)];
  }

  /**
   * Includes in rounds: the first applies every spec to the matches, later rounds apply the `:iterate` ones to what
   * the previous round added, until nothing new appears or the bounds are reached.
   */
  private async includes(
    sql: Sql,
    request: SearchRequest,
    matches: FoundRow[],
    restriction: (row: string) => Fragment,
  ): Promise<FoundRow[]> {
    const specs = [
      ...request.includes.map((spec) => ({ spec, rev: false })),
      ...request.revincludes.map((spec) => ({ spec, rev: true })),
    ];
    if (!specs.length || !matches.length) return [];
    const seen = new Set(matches.map((row) => `${row.resource_type}/${row.id}`));
    const included: FoundRow[] = [];
    let frontier = matches;
    for (
      let round = 0;
      round < MAX_INCLUDE_ROUNDS && frontier.length && included.length < MAX_INCLUDED;
      round++
    ) {
      const active = round === 0 ? specs : specs.filter(({ spec }) => spec.iterate);
      const found = await Promise.all(
        active.map(({ spec, rev }) => this.includeOnce(sql, spec, rev, frontier, restriction)),
      );
      const added = found.flat().filter((row) => {
        const key = `${row.resource_type}/${row.id}`;
        return seen.has(key) ? false : (seen.add(key), true);
      });
      included.push(...added.slice(0, MAX_INCLUDED - included.length));
      frontier = added;
    }
    return included;
  }

  private includeOnce(
    sql: Sql,
    spec: IncludeSpec,
    rev: boolean,
    from: FoundRow[],
    restriction: (row: string) => Fragment,
  ) {
    if (rev)
      return revincludeSources(
        sql,
        spec,
        from.map((row) => ({ type: row.resource_type, id: row.id })),
        restriction,
      );
    const keys = from.filter((row) => row.resource_type === spec.sourceType).map((row) => row.resource_key);
    return keys.length ? includeTargets(sql, spec, keys, restriction) : Promise.resolve([]);
  }
}

/** The planner's estimate of a statement's rows (EXPLAIN: planned, not run). */
async function plannedRows(sql: Sql, statement: Fragment): Promise<number> {
  const [row] = await sql<{ 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] }[]>`
    EXPLAIN (FORMAT JSON) ${statement}`;
  return Math.round(row['QUERY PLAN'][0].Plan['Plan Rows']);
}

function found(row: FoundRow, shape: (content: Resource) => Resource): FoundResource {
  return {
    resourceType: row.resource_type,
    id: row.id,
    versionId: row.version_id,
    lastUpdated: row.last_updated,
    content: shape(row.content as Resource),
    compartments: row.compartments,
  };
}
