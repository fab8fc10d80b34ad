import { LOCATING_ELEMENTS, LOCATING_EXTENSIONS, REDACTED_TAG } from '@continuum/fhir';
import type postgres from 'postgres';
import type { Fragment, Sql } from '../search/sql-fragments';

/**
 * SQL true for a `resource` row (alias) whose content carries the restricted flag (meta.security R or V): the
 * `restricted_flagged` function of the migration that also defines the re-indexing triggers, so the rule is
 * written once in SQL (its int spec checks it against libs/fhir's `isRestrictedRecord`).
 */
export function flaggedRestricted(sql: Sql, alias: string): Fragment {
  return sql`restricted_flagged(${sql(alias)}.content)`;
}

/**
 * SQL true when the person of any of these patients (an SQL text[] expression) is restricted: one of the person's
 * Patient records, linked in the master patient index (MATCH or REDIRECT) or the patient itself, carries the flag.
 * Driven from the patients: their links, their persons' other links, then each record's current row, all index
 * probes (an `IN (…)` over the records let the planner scan every Patient instead).
 */
export function personRestricted(sql: Sql, patients: Fragment, alias: string): Fragment {
  const [asked, mine, other, p] = ['asked', 'mine', 'other', 'flagged'].map((name) =>
    sql(`${alias}_${name}`),
  );
  return sql`EXISTS (SELECT 1 FROM unnest(${patients}) AS ${asked}(id)
    LEFT JOIN identity_link ${mine} ON ${mine}.patient_id = ${asked}.id AND ${mine}.state IN ('MATCH', 'REDIRECT')
    LEFT JOIN identity_link ${other} ON ${other}.person_id = ${mine}.person_id
      AND ${other}.state IN ('MATCH', 'REDIRECT')
    JOIN resource ${p} ON ${p}.resource_type = 'Patient' AND ${p}.id = coalesce(${other}.patient_id, ${asked}.id)
    WHERE NOT ${p}.deleted AND ${flaggedRestricted(sql, `${alias}_flagged`)})`;
}

/** SQL true for a `resource` row (alias) that belongs to a restricted person (by its patient compartments). */
export function rowOfRestrictedPerson(sql: Sql, row: string): Fragment {
  return personRestricted(sql, sql`${sql(row)}.compartments`, `${row}_restricted`);
}

/**
 * The content of a `resource` row (alias) as libs/fhir's `redactLocating` leaves it when `restricted` (an SQL
 * boolean) holds: the type's locating elements and extensions removed and the REDACTED tag added, or the content
 * unchanged when it carries none of them. For statements whose output is computed from content in SQL (compiled
 * views), so a restricted person's address or telephone never reaches a column; its int spec checks it against
 * `redactLocating`, resource by resource.
 */
export function redactedContent(sql: Sql, row: string, restricted: Fragment): Fragment {
  const r = sql(row);
  const elements = sql.json(LOCATING_ELEMENTS as unknown as postgres.JSONValue);
  const extensions = sql.json(LOCATING_EXTENSIONS as unknown as postgres.JSONValue);
  const tag = sql.json(REDACTED_TAG as unknown as postgres.JSONValue);
  return sql`(CASE WHEN NOT (${restricted}) OR NOT (${elements}::jsonb ? ${r}.resource_type) THEN ${r}.content
    ELSE (SELECT CASE
        WHEN NOT (x.c ?| x.elements) AND jsonb_array_length(x.kept) = jsonb_array_length(x.extension)
          THEN x.c
        ELSE (CASE
            WHEN jsonb_array_length(x.kept) = jsonb_array_length(x.extension) THEN x.c - x.elements
            WHEN jsonb_array_length(x.kept) > 0 THEN jsonb_set(x.c - x.elements, '{extension}', x.kept)
            ELSE (x.c - x.elements) - 'extension' END)
          || jsonb_build_object('meta', coalesce(x.c -> 'meta', '{}'::jsonb) || jsonb_build_object('tag',
            CASE WHEN coalesce(x.c #> '{meta,tag}', '[]'::jsonb)
                        @> jsonb_build_array(jsonb_build_object('system', ${tag}::jsonb -> 'system', 'code', ${tag}::jsonb -> 'code'))
              THEN x.c #> '{meta,tag}'
              ELSE coalesce(x.c #> '{meta,tag}', '[]'::jsonb) || jsonb_build_array(${tag}::jsonb) END))
        END
      FROM (SELECT y.c, y.elements, y.extension,
              (SELECT coalesce(jsonb_agg(e.v ORDER BY e.i), '[]'::jsonb)
               FROM jsonb_array_elements(y.extension) WITH ORDINALITY e(v, i)
               WHERE NOT (coalesce(e.v ->> 'url', '') = ANY(y.extensions))) AS kept
            FROM (SELECT ${r}.content AS c,
                    ARRAY(SELECT jsonb_array_elements_text(${elements}::jsonb -> ${r}.resource_type)) AS elements,
                    ARRAY(SELECT jsonb_array_elements_text(coalesce(${extensions}::jsonb -> ${r}.resource_type, '[]'::jsonb)))
                      AS extensions,
                    CASE WHEN jsonb_typeof(${r}.content -> 'extension') = 'array' THEN ${r}.content -> 'extension'
                      ELSE '[]'::jsonb END AS extension) y) x)
    END)`;
}
