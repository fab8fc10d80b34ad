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
}

export const ROW_COLUMNS = (sql: Sql, row: string) =>
  sql`${sql(row)}.resource_type, ${sql(row)}.id, ${sql(row)}.resource_key, ${sql(row)}.version_id, ${sql(row)}.last_updated, ${sql(row)}.content`;

/** `_include`: the targets of the `code` references of these resources (optionally of one target type). */
export function includeTargets(
  sql: Sql,
  spec: IncludeSpec,
  keys: string[],
  restriction: (row: string) => Fragment,
) {
  return sql<FoundRow[]>`
    SELECT DISTINCT ${ROW_COLUMNS(sql, 't')} FROM search_reference i
    JOIN resource t ON t.resource_type = i.target_type AND t.id = i.target_id
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
