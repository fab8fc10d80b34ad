import { badRequest, type SortKey } from '@continuum/fhir';
import type { Fragment, Sql } from './sql-fragments';

// `_sort` keys as SQL expressions on a resource row, and keyset (cursor) paging on (sort keys..., resource_key).

type SqlType = 'text' | 'timestamptz' | 'numeric';

export interface SortExpression {
  expression: Fragment;
  type: SqlType;
  descending: boolean;
}

/**
 * A resource's sort value for a parameter with several values: the lowest for ascending order and the highest for
 * descending (for dates: earliest start, latest end), as the R4 spec describes.
 */
export function sortExpression(sql: Sql, key: SortKey, row: string, types?: string[]): SortExpression {
  const { descending } = key;
  if (key.code === '_id') return { expression: sql`${sql(row)}.id`, type: 'text', descending };
  if (key.code === '_lastUpdated')
    return { expression: sql`${sql(row)}.last_updated`, type: 'timestamptz', descending };
  // A constant type lets the planner keep only that type's partition.
  const rowType = types?.length === 1 ? sql`${types[0]}::text` : sql`${sql(row)}.resource_type`;
  const aggregate = (table: string, column: string, type: SqlType): SortExpression => ({
    expression: sql`(SELECT ${descending ? sql`max` : sql`min`}(s.${sql(column)}) FROM ${sql(table)} s
      WHERE s.resource_type = ${rowType} AND s.resource_key = ${sql(row)}.resource_key AND s.code = ${key.code})`,
    type,
    descending,
  });
  switch (key.type) {
    case 'string':
      return aggregate('search_string', 'value', 'text');
    case 'token':
      return aggregate('search_token', 'value', 'text');
    case 'uri':
      return aggregate('search_uri', 'value', 'text');
    case 'reference':
      return aggregate('search_reference', 'target_id', 'text');
    case 'date':
      return aggregate('search_date', descending ? 'end_at' : 'start_at', 'timestamptz');
    case 'number':
      return aggregate('search_number', descending ? 'high' : 'low', 'numeric');
    case 'quantity':
      return aggregate('search_quantity', descending ? 'high' : 'low', 'numeric');
    default:
      throw badRequest(`Cannot sort on '${key.code}'`);
  }
}

export function orderBy(sql: Sql, sorts: SortExpression[], row: string): Fragment {
  // Missing values sort last in both directions; resource_key (unique, never reused) breaks ties.
  return sorts.reduceRight(
    (rest, sort, i) => sql`${sql(`sort_${i}`)} ${sort.descending ? sql`DESC` : sql`ASC`} NULLS LAST, ${rest}`,
    sql`${sql(row)}.resource_key ASC`,
  );
}

/** Where the previous page stopped: its last row's sort values and key. */
export interface Cursor {
  values: (string | null)[];
  key: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.key, ...cursor.values])).toString('base64url');
}

export function decodeCursor(text: string, expectedValues: number): Cursor {
  try {
    const [key, ...values] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    const valid = (value: unknown) => value === null || typeof value === 'string';
    if (
      typeof key === 'string' &&
      /^\d+$/.test(key) &&
      values.length === expectedValues &&
      values.every(valid)
    ) {
      return { key, values: values as (string | null)[] };
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('Invalid or expired paging cursor (_cursor); search again from the first page');
}

/**
 * Rows strictly after the cursor in the ORDER BY above: for each key position, equal on every earlier key and
 * after on this one; NULLS LAST means nothing but nulls follows a null.
 */
export function afterCursor(sql: Sql, sorts: SortExpression[], cursor: Cursor, row: string): Fragment {
  const typed = (value: string, type: SqlType) =>
    type === 'timestamptz'
      ? sql`${value}::timestamptz`
      : type === 'numeric'
        ? sql`${value}::numeric`
        : sql`${value}::text`;
  const alternatives: Fragment[] = [];
  const equalSoFar: Fragment[] = [];
  sorts.forEach((sort, i) => {
    const expression = sql`${sort.expression}`;
    const value = cursor.values[i];
    if (value !== null) {
      const after = sort.descending
        ? sql`(${expression} < ${typed(value, sort.type)} OR ${expression} IS NULL)`
        : sql`(${expression} > ${typed(value, sort.type)} OR ${expression} IS NULL)`;
      alternatives.push(equalSoFar.reduce((all, equal) => sql`${equal} AND ${all}`, after));
    }
    equalSoFar.push(
      value === null ? sql`${expression} IS NULL` : sql`${expression} = ${typed(value, sort.type)}`,
    );
  });
  const lastKey = sql`${sql(row)}.resource_key > ${cursor.key}::bigint`;
  alternatives.push(equalSoFar.reduce((all, equal) => sql`${equal} AND ${all}`, lastKey));
  return alternatives.reduce((all, alternative) => sql`${all} OR (${alternative})`, sql`false`);
}
