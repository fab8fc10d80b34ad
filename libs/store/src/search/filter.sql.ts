import {
  foldText,
  type IndexTable,
  type Prefix,
  type SearchFilter,
  type SearchValue,
  type TokenValue,
} from '@continuum/fhir';
import { notSupported, parseReference, UCUM } from '@continuum/fhir';
import { timestampText } from './index-table.columns';
import { type Aliases, type Fragment, join, likeEscape, type Sql } from './sql-fragments';
import { systemHash } from './system-hash';

// Compiles parsed search criteria into SQL conditions on a `resource` row (alias `row`). Every user value is a bound
// parameter; identifiers (aliases, table names) come from this code only. docs/search-design.md lists what each
// modifier and prefix compiles to.

export interface FilterContext {
  sql: Sql;
  aliases: Aliases;
  baseUrl?: string;
  now: number;
  /**
   * A condition a resource a chain or `_has` reaches must also meet (the caller's consent view): a resource the
   * caller may not see cannot decide what it finds.
   */
  visible?: (alias: string) => Fragment;
  /**
   * The rows searched are few and already found (a compartment, or the patients a search is pinned to): chains and
   * `_has` are then checked row by row, each an index probe from the row (`OFFSET 0` keeps Postgres from turning
   * them into joins it might drive from the other side, through every resource of the target type).
   */
  perRow?: boolean;
  /** Parameters too are checked row by row, each an index probe by the row's key (`keysMeetingAll`'s few keys). */
  paramsPerRow?: boolean;
}

type ValueColumn = (name: string) => Fragment;

const TABLE_OF: Record<string, IndexTable> = {
  string: 'string',
  token: 'token',
  date: 'date',
  number: 'number',
  quantity: 'quantity',
  reference: 'reference',
  uri: 'uri',
  composite: 'composite',
};

/** A resource row in the query: its alias, and its type(s) when known (always, except system search without _type). */
export interface RowRef {
  alias: string;
  types?: string[];
}

/**
 * The row's type as SQL: a constant when there is one type, so that the planner prunes index partitions at plan time
 * and estimates from that partition's statistics; the column otherwise.
 */
function typeOf(ctx: FilterContext, row: RowRef): Fragment {
  const { sql } = ctx;
  return row.types?.length === 1 ? sql`${row.types[0]}::text` : sql`${sql(row.alias)}.resource_type`;
}

export function filterCondition(ctx: FilterContext, filter: SearchFilter, row: RowRef): Fragment {
  const { sql } = ctx;
  switch (filter.kind) {
    case 'param':
      return paramCondition(ctx, filter, row);
    case 'chain': {
      const ref = sql(ctx.aliases.take('c'));
      const targetRow: RowRef = { alias: ctx.aliases.take('t'), types: filter.targetTypes };
      const target = sql(targetRow.alias);
      const targetType = typeOf(ctx, targetRow);
      // one target type is a constant (partition pruning); several are listed once, not restated
      const targetTypes =
        filter.targetTypes.length === 1
          ? sql``
          : sql`AND ${target}.resource_type = ANY(${filter.targetTypes}::text[])`;
      // Reference ids are stored COLLATE "C", resource ids in the default collation, and an index serves a comparison
      // only in its own collation: row by row the target is found by the resource's primary key (from the
      // reference), otherwise Postgres may go the other way, from targets to the reference index.
      const targetId = ctx.perRow ? sql`${ref}.target_id COLLATE "default"` : sql`${ref}.target_id`;
      return sql`EXISTS (SELECT 1 FROM search_reference ${ref}
        JOIN resource ${target} ON ${target}.resource_type = ${targetType} AND ${target}.id = ${targetId}
        WHERE ${ref}.resource_type = ${typeOf(ctx, row)} AND ${ref}.resource_key = ${sql(row.alias)}.resource_key
          AND ${ref}.code = ${filter.code} AND ${ref}.target_type = ${targetType}
          ${targetTypes} AND NOT ${target}.deleted
          AND ${visibleIn(ctx, targetRow.alias)} AND ${filterCondition(ctx, filter.filter, targetRow)}
          ${perRowFence(ctx)})`;
    }
    case 'has': {
      const ref = sql(ctx.aliases.take('h'));
      const sourceRow: RowRef = { alias: ctx.aliases.take('s'), types: [filter.sourceType] };
      const source = sql(sourceRow.alias);
      return sql`EXISTS (SELECT 1 FROM search_reference ${ref}
        JOIN resource ${source} ON ${source}.resource_type = ${filter.sourceType}::text AND ${source}.resource_key = ${ref}.resource_key
        WHERE ${ref}.resource_type = ${filter.sourceType}::text AND ${ref}.code = ${filter.referenceCode}
          AND ${ref}.target_type = ${typeOf(ctx, row)} AND ${ref}.target_id = ${sql(row.alias)}.id
          AND NOT ${source}.deleted AND ${visibleIn(ctx, sourceRow.alias)}
          AND ${filterCondition(ctx, filter.filter, sourceRow)}
          ${perRowFence(ctx)})`;
    }
  }
}

const visibleIn = (ctx: FilterContext, alias: string): Fragment =>
  ctx.visible ? ctx.visible(alias) : ctx.sql`true`;

/** `OFFSET 0` in an EXISTS sub-query: Postgres keeps it a per-row sub-plan instead of pulling it up into a join. */
const perRowFence = (ctx: FilterContext): Fragment => (ctx.perRow ? ctx.sql`OFFSET 0` : ctx.sql``);

type ParamFilter = Extract<SearchFilter, { kind: 'param' }>;

function paramCondition(ctx: FilterContext, filter: ParamFilter, row: RowRef): Fragment {
  const { sql } = ctx;
  const rowAlias = sql(row.alias);
  // _id and _lastUpdated live on the resource row itself.
  if (filter.code === '_id') return resourceIdCondition(ctx, filter.values, row.alias);
  if (filter.code === '_lastUpdated') {
    const at = (_: string) => sql`${rowAlias}.last_updated`;
    const end = (_: string) => sql`(${rowAlias}.last_updated + interval '1 millisecond')`;
    return join(
      sql,
      filter.values.map((value) => (value.type === 'date' ? dateCondition(ctx, value, at, end) : sql`false`)),
      'OR',
    );
  }
  const match = indexRowsMatching(ctx, filter);
  const alias = sql(match.alias);
  const rows = sql`EXISTS (SELECT 1 FROM ${sql(match.table)} ${alias}
    WHERE ${alias}.resource_type = ${typeOf(ctx, row)} AND ${alias}.resource_key = ${rowAlias}.resource_key
      AND ${alias}.code = ${filter.code} AND (${match.condition}) ${ctx.paramsPerRow ? sql`OFFSET 0` : sql``})`;
  const [first] = filter.values;
  // :missing=true and :not (resources with no matching value at all, including those without the element, per the
  // R4 spec) are the absence of index rows.
  return (first?.type === 'missing' && first.missing) || filter.modifier === 'not' ? sql`NOT ${rows}` : rows;
}

/** The index table's rows that meet a parameter's values (any of them), under an alias of their own. */
function indexRowsMatching(
  ctx: FilterContext,
  filter: ParamFilter,
): { table: string; alias: string; condition: Fragment } {
  const { sql } = ctx;
  const alias = ctx.aliases.take('i');
  const column: ValueColumn = (name) => sql`${sql(alias)}.${sql(name)}`;
  const [first] = filter.values;
  const condition =
    first?.type === 'missing'
      ? sql`true`
      : join(
          sql,
          filter.values.map((value) => valueCondition(ctx, filter.modifier, value, column)),
          'OR',
        );
  return { table: `search_${TABLE_OF[filter.type]}`, alias, condition };
}

/**
 * Whether a filter is met by the presence of index rows tied to the resource by its key alone: a parameter's values
 * (not `_id` or `_lastUpdated`, which are on the resource row; not `:not` or `:missing=true`, which are absences)
 * or a chain. Such filters can be checked together on keys, before any resource row is read (`keysMeetingAll`).
 */
export function isCheckedOnKeys(filter: SearchFilter): boolean {
  if (filter.kind === 'chain') return true;
  if (filter.kind !== 'param' || filter.code === '_id' || filter.code === '_lastUpdated') return false;
  const [first] = filter.values;
  return filter.modifier !== 'not' && !(first?.type === 'missing' && first.missing);
}

/**
 * The keys of one type's resources that meet every one of these filters (each `isCheckedOnKeys`; the first, the
 * driver, a parameter whose index rows are expected to be few), composed on the index tables alone: the driver's
 * matching rows give the candidate keys, and each other filter is an index probe by key (fenced, so that the planner
 * cannot turn it into a join driven from that filter's side, which for a common value reads all of its rows).
 */
export function keysMeetingAll(ctx: FilterContext, filters: SearchFilter[], type: string): Fragment {
  const { sql } = ctx;
  const [driver, ...rest] = filters;
  if (driver?.kind !== 'param' || !isCheckedOnKeys(driver))
    throw new Error('keysMeetingAll: the first filter must be a parameter checked on keys');
  const match = indexRowsMatching(ctx, driver);
  const alias = sql(match.alias);
  const keyRow: RowRef = { alias: match.alias, types: [type] };
  const perKey: FilterContext = { ...ctx, perRow: true, paramsPerRow: true };
  return sql`SELECT ${alias}.resource_key FROM ${sql(match.table)} ${alias}
    WHERE ${alias}.resource_type = ${type}::text AND ${alias}.code = ${driver.code} AND (${match.condition})
      AND ${join(
        sql,
        rest.map((filter) => filterCondition(perKey, filter, keyRow)),
        'AND',
      )}`;
}

function resourceIdCondition(ctx: FilterContext, values: SearchValue[], row: string): Fragment {
  const { sql } = ctx;
  const ids = values.flatMap((value) =>
    value.type === 'token' && value.code !== undefined ? [value.code] : [],
  );
  return sql`${sql(row)}.id = ANY(${ids}::text[])`;
}

function valueCondition(
  ctx: FilterContext,
  modifier: string | undefined,
  value: SearchValue,
  column: ValueColumn,
): Fragment {
  const { sql } = ctx;
  switch (value.type) {
    case 'string': {
      const folded = foldText(value.text);
      if (modifier === 'exact')
        return sql`${column('value')} = ${folded} AND ${column('exact')} = ${value.text}`;
      if (modifier === 'contains') return sql`${column('value')} LIKE ${`%${likeEscape(folded)}%`}`;
      return sql`${column('value')} LIKE ${`${likeEscape(folded)}%`}`;
    }
    case 'token':
      return tokenCondition(ctx, value, column('system_hash'), column('value'));
    case 'date':
      return dateCondition(
        ctx,
        value,
        (_) => column('start_at'),
        (_) => column('end_at'),
      );
    case 'number':
      return numberCondition(ctx, value, column('low'), column('high'));
    case 'quantity':
      return quantityCondition(ctx, value, column, column('unit_text'));
    case 'reference': {
      // expanded by the store's search (identity/person-filters.ts); elsewhere (conditional criteria) refused
      if (modifier === 'person')
        throw notSupported(':person is supported in searches, not in conditional criteria');
      // Absolute URLs on our own base are local references.
      const parsed = value.resourceType ? undefined : parseReference(value.id, ctx.baseUrl);
      const type = value.resourceType ?? (parsed && !parsed.external ? parsed.type : undefined);
      const id = parsed && !parsed.external ? parsed.id : value.id;
      return type
        ? sql`${column('target_id')} = ${id} AND ${column('target_type')} = ${type}`
        : sql`${column('target_id')} = ${id}`;
    }
    case 'uri':
      if (modifier === 'below') return sql`${column('value')} LIKE ${`${likeEscape(value.value)}%`}`;
      if (modifier === 'above') return sql`${column('value')} = ANY(${uriAncestors(value.value)}::text[])`;
      return sql`${column('value')} = ${value.value}`;
    case 'composite': {
      const first = tokenCondition(ctx, value.first, column('system_hash'), column('value'));
      const second = value.second;
      const col = (name: string) => column(`second_${name}`);
      switch (second.type) {
        case 'token':
          return sql`${first} AND ${tokenCondition(ctx, second, col('system_hash'), col('value'))}`;
        case 'string':
          return sql`${first} AND ${col('value')} LIKE ${`${likeEscape(foldText(second.text))}%`}`;
        case 'uri':
          return sql`${first} AND ${col('value')} = ${second.value}`;
        case 'reference':
          return sql`${first} AND ${col('value')} = ${second.resourceType ? `${second.resourceType}/${second.id}` : second.id}`;
        case 'number':
          return sql`${first} AND ${numberCondition(ctx, second, col('low'), col('high'))}`;
        case 'quantity':
          return sql`${first} AND ${quantityCondition(ctx, second, col)}`;
        case 'date':
          return sql`${first} AND ${dateCondition(
            ctx,
            second,
            (_) => col('start_at'),
            (_) => col('end_at'),
          )}`;
        default:
          return sql`false`;
      }
    }
    case 'missing':
      return sql`true`;
  }
}

/**
 * Quantities as R4 says: with a convertible UCUM unit, in base units on the base-unit rows (5.4 mg finds 0.0054 g);
 * otherwise the stated value on the stated rows, with the system and unit when given, so `gt100` finds 150 mg/dL but
 * not 61 kg through its 61000 g copy. A unit alone matches the coded or the human unit (`unitText`, when indexed).
 */
function quantityCondition(
  ctx: FilterContext,
  value: Extract<SearchValue, { type: 'quantity' }>,
  column: ValueColumn,
  unitText?: Fragment,
): Fragment {
  const { sql } = ctx;
  if (value.base) {
    const base = { prefix: value.prefix, ...value.base };
    return sql`${numberCondition(ctx, base, column('low'), column('high'))}
      AND ${column('system_hash')} = ${systemHash(UCUM)}::bigint AND ${column('unit')} = ${value.base.unit}`;
  }
  const parts = [numberCondition(ctx, value, column('low'), column('high')), sql`NOT ${column('canonical')}`];
  if (value.system !== undefined)
    parts.push(sql`${column('system_hash')} = ${systemHash(value.system)}::bigint`);
  if (value.unit !== undefined) {
    parts.push(
      value.system === undefined && unitText
        ? sql`(${column('unit')} = ${value.unit} OR ${unitText} = ${value.unit})`
        : sql`${column('unit')} = ${value.unit}`,
    );
  }
  return join(sql, parts, 'AND');
}

function tokenCondition(
  ctx: FilterContext,
  token: TokenValue,
  systemColumn: Fragment,
  valueColumn: Fragment,
): Fragment {
  const { sql } = ctx;
  const parts: Fragment[] = [];
  if (token.code !== undefined) parts.push(sql`${valueColumn} = ${token.code}`);
  if (token.system === null) parts.push(sql`${systemColumn} IS NULL`);
  else if (token.system !== undefined) parts.push(sql`${systemColumn} = ${systemHash(token.system)}::bigint`);
  return join(sql, parts, 'AND');
}

/**
 * Date prefixes on the stored interval [start_at, end_at) against the search interval [qs, qe) its precision gives.
 */
function dateCondition(
  ctx: FilterContext,
  value: { prefix: Prefix; start: number; end: number },
  startColumn: ValueColumn,
  endColumn: ValueColumn,
): Fragment {
  const { sql } = ctx;
  const start = startColumn('start_at');
  const end = endColumn('end_at');
  const qs = timestampText(value.start);
  const qe = timestampText(value.end);
  const within = sql`(${start} >= ${qs}::timestamptz AND ${end} <= ${qe}::timestamptz)`;
  switch (value.prefix) {
    case 'eq':
      // `start <= qe` follows from start ≤ end ≤ qe (stored intervals keep start ≤ end); said out loud it bounds the
      // (type, code, start_at, end_at) index scan on both sides, instead of reading every earlier row by end_at.
      return sql`(${within} AND ${start} <= ${qe}::timestamptz)`;
    case 'ne':
      return sql`NOT ${within}`;
    case 'gt':
      return sql`${end} > ${qe}::timestamptz`;
    case 'ge':
      return sql`${end} > ${qs}::timestamptz`;
    case 'lt':
      return sql`${start} < ${qs}::timestamptz`;
    case 'le':
      return sql`${start} < ${qe}::timestamptz`;
    case 'sa':
      return sql`${start} >= ${qe}::timestamptz`;
    case 'eb':
      return sql`${end} <= ${qs}::timestamptz`;
    case 'ap': {
      // Approximately: widened by 10% of the distance from now (at least a day), as the R4 spec suggests.
      const slack = Math.max(Math.abs(ctx.now - value.start) * 0.1, 86_400_000);
      return sql`(${start} < ${timestampText(value.end + slack)}::timestamptz AND ${end} > ${timestampText(value.start - slack)}::timestamptz)`;
    }
  }
}

/**
 * Number prefixes. `eq`/`ne`/`ap` use the precision range [low, high) of the search value; the others compare with
 * the value itself. Stored rows are [low, high] (equal for a plain number, open ends ±Infinity for a Range).
 */
function numberCondition(
  ctx: FilterContext,
  value: { prefix: Prefix; value: string; low: string; high: string },
  low: Fragment,
  high: Fragment,
): Fragment {
  const { sql } = ctx;
  const v = value.value;
  switch (value.prefix) {
    case 'eq':
      return sql`(${low} >= ${value.low}::numeric AND ${high} < ${value.high}::numeric)`;
    case 'ne':
      return sql`NOT (${low} >= ${value.low}::numeric AND ${high} < ${value.high}::numeric)`;
    case 'gt':
      return sql`${high} > ${v}::numeric`;
    case 'ge':
      return sql`${high} >= ${v}::numeric`;
    case 'lt':
      return sql`${low} < ${v}::numeric`;
    case 'le':
      return sql`${low} <= ${v}::numeric`;
    case 'sa':
      return sql`${low} > ${v}::numeric`;
    case 'eb':
      return sql`${high} < ${v}::numeric`;
    case 'ap': {
      const n = Number(v);
      const [from, to] = [n * 0.9, n * 1.1].sort((a, b) => a - b);
      return sql`(${low} <= ${String(to)}::numeric AND ${high} >= ${String(from)}::numeric)`;
    }
  }
}

/** `:above` on a URI: the stored value is the search URI or one of its ancestors by path segment. */
function uriAncestors(uri: string): string[] {
  const ancestors = [uri];
  let current = uri;
  for (
    let slash = current.lastIndexOf('/');
    slash > current.indexOf('//') + 1;
    slash = current.lastIndexOf('/')
  ) {
    current = current.slice(0, slash);
    ancestors.push(current);
  }
  return ancestors;
}
