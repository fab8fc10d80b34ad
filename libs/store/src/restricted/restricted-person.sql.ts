import { personPatients } from '../consent/consent-directive.sql';
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
 * A few primary-key probes per patient (its links, then each linked record's current row).
 */
export function personRestricted(sql: Sql, patients: Fragment, alias: string): Fragment {
  const p = `${alias}_flagged`;
  return sql`EXISTS (SELECT 1 FROM resource ${sql(p)}
    WHERE ${sql(p)}.resource_type = 'Patient' AND ${sql(p)}.id IN ${personPatients(sql, patients, `${alias}_person`)}
      AND NOT ${sql(p)}.deleted AND ${flaggedRestricted(sql, p)})`;
}

/** SQL true for a `resource` row (alias) that belongs to a restricted person (by its patient compartments). */
export function rowOfRestrictedPerson(sql: Sql, row: string): Fragment {
  return personRestricted(sql, sql`${sql(row)}.compartments`, `${row}_restricted`);
}
