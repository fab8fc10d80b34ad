import type { SuiteFile, ViewEngine, ViewRow } from '@continuum/fhir';
import type postgres from 'postgres';
import { runViewSql, viewSqlColumns } from '../view-sql.runner';

/**
 * The compiled-SQL engine for the SQL on FHIR suite: each file's resources loaded into a scratch table of its own
 * schema (resource_type, resource_key, content), then each view compiled and run there.
 */
export async function scratchViewEngine(
  sql: postgres.Sql,
  schema: string,
): Promise<{ engine: ViewEngine; close: () => Promise<void> }> {
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`;
  await sql`CREATE TABLE IF NOT EXISTS ${sql(schema)}.view_resource (
    resource_key bigserial PRIMARY KEY, resource_type text NOT NULL, content jsonb NOT NULL)`;
  let loaded: SuiteFile | undefined;
  const load = async (file: SuiteFile) => {
    if (loaded === file) return;
    await sql`TRUNCATE ${sql(schema)}.view_resource RESTART IDENTITY`;
    for (const resource of file.resources)
      await sql`INSERT INTO ${sql(schema)}.view_resource (resource_type, content)
        VALUES (${String(resource.resourceType)}, ${sql.json(resource as postgres.JSONValue)})`;
    loaded = file;
  };
  const engine: ViewEngine = async (view, file) => {
    await load(file);
    const source = { schema, table: 'view_resource' };
    const columns = viewSqlColumns(view, source);
    const rows: ViewRow[] = [];
    for await (const page of runViewSql(sql, view, source)) rows.push(...page);
    return { rows, columns };
  };
  return { engine, close: async () => void (await sql`DROP SCHEMA ${sql(schema)} CASCADE`) };
}
