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
