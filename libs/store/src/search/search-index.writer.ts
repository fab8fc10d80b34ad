import { extractIndexRows, type IndexRows, type IndexTable, INDEX_TABLES } from '@continuum/fhir';
import type postgres from 'postgres';
import type { IndexEntry, SearchIndexPort } from '../store.ports';
import { type Cell, INDEX_COLUMNS, toColumnValues } from './index-table.columns';

/**
 * Replaces the search index rows of a batch of resources inside the caller's transaction
 * (docs/store-contract.md). Per index table: one DELETE for every key of the batch, then one
 * INSERT ... SELECT FROM unnest(...) carrying the rows of every resource, so a bulk batch of hundreds of
 * resources costs at most sixteen statements, sent together (postgres.js pipelines them on the transaction).
 */
export class SearchIndexWriter implements SearchIndexPort {
  constructor(private readonly options: { baseUrl?: string } = {}) {}

  async write(tx: postgres.TransactionSql, entries: IndexEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const replaced = entries.filter((entry) => entry.mayHaveRows !== false);
    const types = replaced.map((entry) => entry.resourceType);
    const keys = replaced.map((entry) => entry.resourceKey);
    const extracted = entries.map((entry) => ({
      entry,
      rows: entry.resource ? extractIndexRows(entry.resource, this.options) : undefined,
    }));
    if (replaced.length > 0) {
      await Promise.all(
        INDEX_TABLES.map(
          (table) => tx`DELETE FROM ${tx(tableName(table))}
            WHERE (resource_type, resource_key) IN (SELECT * FROM unnest(${types}::text[], ${keys}::bigint[]))`,
        ),
      );
    }
    await Promise.all(
      INDEX_TABLES.map((table) => {
        const columns = toColumnValues(
          table,
          extracted.flatMap(({ entry, rows }) =>
            rows ? [{ entry, rows: rows[table] as IndexRows[IndexTable] }] : [],
          ),
        );
        return columns ? insert(tx, table, columns) : undefined;
      }),
    );
  }
}

export const tableName = (table: IndexTable) => `search_${table}`;

function insert(tx: postgres.TransactionSql, table: IndexTable, columns: Cell[][]) {
  const definitions = INDEX_COLUMNS[table];
  const names = definitions.map((column) => column.name);
  // unnest of typed arrays: one parameter per column whatever the number of rows.
  const arrays = definitions.map(
    (column, i) => tx`${columns[i]}::${tx.unsafe(column.sqlType)}[]`,
  );
  const list = arrays.reduce((all, fragment, i) => (i === 0 ? fragment : tx`${all}, ${fragment}`));
  return tx`INSERT INTO ${tx(tableName(table))} (${tx(names)}) SELECT * FROM unnest(${list})`;
}
