import type { IncludeSpec } from '@continuum/fhir';
import type { Fragment, Sql } from './sql-fragments';

/** A found resource row: what the searcher returns for matches and includes. */
export interface FoundRow {
  resource_type: string;
  id: string;
  resource_key: string;
  version_id: number;
  last_updated: Date;
  content: unknown;
  compartments: string[];
}

export const ROW_COLUMNS = (sql: Sql, row: string) =>
  sql`${sql(row)}.resource_type, ${sql(row)}.id, ${sql(row)}.resource_key, ${sql(row)}.version_id, ${sql(row)}.last_updated, ${sql(row)}.content, ${sql(row)}.compartments`;

/**
 * The target resource of a reference row `i`, by the resource's primary key: reference columns are stored
 * COLLATE "C", resource keys in the default collation, and an index serves a comparison only in its own collation
 * (without this, every include read the whole `resource` table: about a second at 300k resources).
 */
const targetOf = (sql: Sql, i: string, t: string) =>
  sql`${sql(t)}.resource_type = ${sql(i)}.target_type COLLATE "default" AND ${sql(t)}.id = ${sql(i)}.target_id COLLATE "default"`;

/** `_include`: the targets of the `code` references of these resources (optionally of one target type). */
export function includeTargets(
  sql: Sql,
  spec: IncludeSpec,
  keys: string[],
  restriction: (row: string) => Fragment,
) {
  return sql<FoundRow[]>`
    SELECT DISTINCT ${ROW_COLUMNS(sql, 't')} FROM search_reference i
    JOIN resource t ON ${targetOf(sql, 'i', 't')}
    WHERE i.resource_type = ${spec.sourceType} AND i.resource_key = ANY(${keys}::bigint[]) AND i.code = ${spec.code}
      ${spec.targetType ? sql`AND i.target_type = ${spec.targetType} AND t.resource_type = ${spec.targetType}` : sql``}
      AND NOT t.deleted AND ${restriction('t')}`;
}

/** `_revinclude`: resources of `sourceType` whose `code` references point at these resources. */
export function revincludeSources(
  sql: Sql,
  spec: IncludeSpec,
  targets: { type: string; id: string }[],
  restriction: (row: string) => Fragment,
) {
  return sql<FoundRow[]>`
    SELECT DISTINCT ${ROW_COLUMNS(sql, 's')} FROM search_reference i
    JOIN unnest(${targets.map((t) => t.type)}::text[], ${targets.map((t) => t.id)}::text[]) AS target(type, id)
      ON i.target_type = target.type AND i.target_id = target.id
    JOIN resource s ON s.resource_type = i.resource_type AND s.resource_key = i.resource_key
    WHERE i.resource_type = ${spec.sourceType} AND i.code = ${spec.code}
      AND s.resource_type = ${spec.sourceType} AND NOT s.deleted AND ${restriction('s')}`;
}

/**
 * What these resources reference that belongs to no patient's compartment: practitioners, organisations,
 * locations, medications (the shared reference data a record points at, never another patient's record), optionally
 * of these types only. Reads the reference index by its primary key prefix (resource_type, resource_key).
 */
export function referencedSharedResources(sql: Sql, sources: FoundRow[], types?: string[]) {
  return sql<FoundRow[]>`
    SELECT DISTINCT ${ROW_COLUMNS(sql, 't')} FROM search_reference i
    JOIN unnest(${sources.map((s) => s.resource_type)}::text[], ${sources.map((s) => s.resource_key)}::bigint[])
      AS source(type, key) ON i.resource_type = source.type AND i.resource_key = source.key
    JOIN resource t ON ${targetOf(sql, 'i', 't')}
    WHERE NOT t.deleted AND t.compartments = '{}'
      ${types?.length ? sql`AND t.resource_type = ANY(${types}::text[])` : sql``}`;
}
