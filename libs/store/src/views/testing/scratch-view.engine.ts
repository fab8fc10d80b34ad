import type { SuiteFile, ViewEngine, ViewRow } from '@continuum/fhir';
import type postgres from 'postgres';
import { runViewSql, viewSqlColumns } from '../view-sql.runner';
import type { ViewSource } from '../view.sql-compiler';

/** A scratch table of resources (resource_type, resource_key, content) in a schema of its own, for views over SQL. */
export interface ScratchResources {
  source: ViewSource;
  /** Replaces the table's rows with these resources, keyed in the order given. */
  replace(resources: readonly { resourceType?: string }[]): Promise<void>;
  drop(): Promise<void>;
}

export async function scratchResources(sql: postgres.Sql, schema: string): Promise<ScratchResources> {
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`;
  await sql`CREATE TABLE IF NOT EXISTS ${sql(schema)}.view_resource (
    resource_key bigserial PRIMARY KEY, resource_type text NOT NULL, content jsonb NOT NULL)`;
  return {
    source: { schema, table: 'view_resource' },
    async replace(resources) {
      await sql`TRUNCATE ${sql(schema)}.view_resource RESTART IDENTITY`;
      for (let at = 0; at < resources.length; at += 1000) {
        const rows = resources.slice(at, at + 1000).map((resource) => ({
          resource_type: String(resource.resourceType),
          content: sql.json(resource as postgres.JSONValue),
        }));
        await sql`INSERT INTO ${sql(schema)}.view_resource ${sql(rows, 'resource_type', 'content')}`;
      }
      await sql`ANALYZE ${sql(schema)}.view_resource`;
    },
    drop: async () => void (await sql`DROP SCHEMA ${sql(schema)} CASCADE`),
  };
}

/**
 * The compiled-SQL engine for the SQL on FHIR suite: each file's resources loaded into a scratch table, then each
 * view compiled and run there.
 */
export async function scratchViewEngine(
  sql: postgres.Sql,
  schema: string,
): Promise<{ engine: ViewEngine; close: () => Promise<void> }> {
  const scratch = await scratchResources(sql, schema);
  let loaded: SuiteFile | undefined;
  const engine: ViewEngine = async (view, file) => {
    if (loaded !== file) {
      await scratch.replace(file.resources);
      loaded = file;
    }
    const columns = viewSqlColumns(view, scratch.source);
    const rows: ViewRow[] = [];
    for await (const page of runViewSql(sql, view, scratch.source)) rows.push(...page);
    return { rows, columns };
  };
  return { engine, close: scratch.drop };
}
