import type { IndexRows, IndexTable } from '@continuum/fhir';
import { systemHash } from './system-hash';

export type Cell = string | number | boolean | null;

interface ColumnDef<Row> {
  name: string;
  sqlType: 'text' | 'bigint' | 'integer' | 'numeric' | 'timestamptz' | 'boolean';
  value: (row: Row) => Cell;
}

type Columns = { [T in IndexTable]: ColumnDef<IndexRows[T][number]>[] };

/** Open interval ends are Postgres's infinite timestamps; the rest ISO text (postgres parses, keeps the instant). */
export function timestampText(ms: number): string {
  if (ms === Infinity) return 'infinity';
  if (ms === -Infinity) return '-infinity';
  return new Date(ms).toISOString();
}

const opt = <T>(value: T | undefined): T | null => value ?? null;
// Open ends of a Range are infinite numerics (Postgres 14+), so comparisons need no COALESCE and stay indexable.

// The value columns of every index table, in the order of the migrations (CreateSearchIndexTables, then the columns
// added later); the row key columns (resource_type, resource_key, code, ordinal) come first, added by toColumnValues.
const VALUE_COLUMNS: Columns = {
  string: [
    { name: 'value', sqlType: 'text', value: (row) => row.value },
    { name: 'exact', sqlType: 'text', value: (row) => row.exact },
  ],
  token: [
    { name: 'system_hash', sqlType: 'bigint', value: (row) => systemHash(row.system) },
    { name: 'value', sqlType: 'text', value: (row) => opt(row.value) },
  ],
  date: [
    { name: 'start_at', sqlType: 'timestamptz', value: (row) => timestampText(row.start) },
    { name: 'end_at', sqlType: 'timestamptz', value: (row) => timestampText(row.end) },
  ],
  number: [
    { name: 'low', sqlType: 'numeric', value: (row) => row.low ?? '-Infinity' },
    { name: 'high', sqlType: 'numeric', value: (row) => row.high ?? 'Infinity' },
  ],
  quantity: [
    { name: 'low', sqlType: 'numeric', value: (row) => row.low ?? '-Infinity' },
    { name: 'high', sqlType: 'numeric', value: (row) => row.high ?? 'Infinity' },
    { name: 'system_hash', sqlType: 'bigint', value: (row) => systemHash(row.system) },
    { name: 'unit', sqlType: 'text', value: (row) => opt(row.unit) },
    { name: 'unit_text', sqlType: 'text', value: (row) => opt(row.unitText) },
    { name: 'canonical', sqlType: 'boolean', value: (row) => row.canonical === true },
  ],
  reference: [
    { name: 'target_type', sqlType: 'text', value: (row) => opt(row.targetType) },
    { name: 'target_id', sqlType: 'text', value: (row) => row.targetId },
  ],
  uri: [{ name: 'value', sqlType: 'text', value: (row) => row.value }],
  composite: [
    { name: 'system_hash', sqlType: 'bigint', value: (row) => systemHash(row.system) },
    { name: 'value', sqlType: 'text', value: (row) => opt(row.value) },
    {
      name: 'second_system_hash',
      sqlType: 'bigint',
      value: ({ second }) =>
        second.type === 'token' || second.type === 'quantity' ? systemHash(second.system) : null,
    },
    {
      name: 'second_value',
      sqlType: 'text',
      value: ({ second }) => ('value' in second ? opt(second.value) : null),
    },
    {
      name: 'second_low',
      sqlType: 'numeric',
      value: ({ second }) => ('low' in second ? opt(second.low) : null),
    },
    {
      name: 'second_high',
      sqlType: 'numeric',
      value: ({ second }) => ('high' in second ? opt(second.high) : null),
    },
    {
      name: 'second_unit',
      sqlType: 'text',
      value: ({ second }) => ('unit' in second ? opt(second.unit) : null),
    },
    {
      name: 'second_start_at',
      sqlType: 'timestamptz',
      value: ({ second }) => (second.type === 'date' ? timestampText(second.start) : null),
    },
    {
      name: 'second_end_at',
      sqlType: 'timestamptz',
      value: ({ second }) => (second.type === 'date' ? timestampText(second.end) : null),
    },
    {
      name: 'second_canonical',
      sqlType: 'boolean',
      value: ({ second }) => second.type === 'quantity' && second.canonical === true,
    },
  ],
};

const KEY_COLUMNS = [
  { name: 'resource_type', sqlType: 'text' },
  { name: 'resource_key', sqlType: 'bigint' },
  { name: 'code', sqlType: 'text' },
  { name: 'ordinal', sqlType: 'integer' },
] as const;

/** Every column of each table (key columns first), as the writer inserts them. */
export const INDEX_COLUMNS: Record<IndexTable, { name: string; sqlType: string }[]> = Object.fromEntries(
  (Object.keys(VALUE_COLUMNS) as IndexTable[]).map((table) => [
    table,
    [...KEY_COLUMNS, ...VALUE_COLUMNS[table].map(({ name, sqlType }) => ({ name, sqlType }))],
  ]),
) as Record<IndexTable, { name: string; sqlType: string }[]>;

/**
 * Column-major arrays (one per column, for unnest) of a table's rows across a batch of resources; the ordinal
 * numbers the values of one parameter of one resource, completing the primary key. Undefined when there are none.
 */
export function toColumnValues<T extends IndexTable>(
  table: T,
  batch: { entry: { resourceType: string; resourceKey: string }; rows: IndexRows[T] }[],
): Cell[][] | undefined {
  const valueColumns = VALUE_COLUMNS[table] as ColumnDef<IndexRows[T][number]>[];
  const columns: Cell[][] = Array.from({ length: KEY_COLUMNS.length + valueColumns.length }, () => []);
  for (const { entry, rows } of batch) {
    const ordinals = new Map<string, number>();
    for (const row of rows as IndexRows[T][number][]) {
      const ordinal = (ordinals.get(row.code) ?? 0) + 1;
      ordinals.set(row.code, ordinal);
      columns[0].push(entry.resourceType);
      columns[1].push(entry.resourceKey);
      columns[2].push(row.code);
      columns[3].push(ordinal);
      valueColumns.forEach((column, i) => columns[KEY_COLUMNS.length + i].push(column.value(row)));
    }
  }
  return columns[0].length ? columns : undefined;
}
