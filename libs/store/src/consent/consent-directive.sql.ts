import type { ConsentRestriction } from '@continuum/fhir';
import { type Fragment, join, type Sql } from '../search/sql-fragments';

/**
 * SQL true for a `consent_directive` row (alias `d`) that hides its patient under the restriction: in force at
 * `restriction.at` and of a hiding kind, unless it permits the caller's organisation. The one SQL form of the
 * consent rules (libs/security consent.evaluator builds the restriction), used by searches and single reads alike.
 */
export function directiveHides(sql: Sql, d: string, restriction: ConsentRestriction): Fragment {
  const at = restriction.at.toISOString();
  const row = sql(d);
  const kinds = restriction.hiding.map(({ kind, unlessPermits }) =>
    unlessPermits === undefined
      ? sql`${row}.kind = ${kind}::text`
      : sql`(${row}.kind = ${kind}::text AND NOT (${unlessPermits}::text = ANY(${row}.permitted_organisations)))`,
  );
  return sql`${row}.starts_at <= ${at}::timestamptz AND ${row}.ends_at >= ${at}::timestamptz
    AND (${join(sql, kinds, 'OR')})`;
}

/**
 * The patient ids whose directives speak for these patients (an SQL text[] expression): the patients themselves and
 * every record of the same person in the master patient index (MATCH or REDIRECT links), so an objection or opt-out
 * recorded by any source applies to the whole person, including records linked later, and unlinking re-evaluates.
 */
export function personPatients(sql: Sql, patients: Fragment, alias: string): Fragment {
  const mine = sql(`${alias}_mine`);
  const other = sql(`${alias}_other`);
  return sql`(SELECT unnest(${patients}) UNION
    SELECT ${other}.patient_id FROM identity_link ${mine}
    JOIN identity_link ${other} ON ${other}.person_id = ${mine}.person_id AND ${other}.state IN ('MATCH', 'REDIRECT')
    WHERE ${mine}.patient_id = ANY(${patients}) AND ${mine}.state IN ('MATCH', 'REDIRECT'))`;
}

/**
 * SQL true for a `resource` row (alias `row`) that no directive of its patients' persons hides: a few index probes
 * per patient of the row (`resource.compartments`, usually one). A row in no patient's compartment (Practitioner,
 * Organization, Medication) is never hidden.
 */
export function visibleUnderConsent(sql: Sql, row: string, restriction: ConsentRestriction): Fragment {
  const d = `${row}_consent`;
  return sql`NOT EXISTS (SELECT 1 FROM consent_directive ${sql(d)}
    WHERE ${sql(d)}.patient_id IN ${personPatients(sql, sql`${sql(row)}.compartments`, d)}
      AND ${directiveHides(sql, d, restriction)})`;
}

/**
 * The patient ids consent hides under the restriction (an SQL subquery): each patient with a hiding directive and
 * every record of the same person (the relation `personPatients` follows, read from the directive's side).
 */
export function hiddenPatients(sql: Sql, restriction: ConsentRestriction, alias: string): Fragment {
  const [d, mine, other] = ['d', 'mine', 'other'].map((name) => `${alias}_${name}`);
  return sql`(SELECT ${sql(d)}.patient_id FROM consent_directive ${sql(d)}
      WHERE ${directiveHides(sql, d, restriction)}
    UNION ALL
    SELECT ${sql(other)}.patient_id FROM consent_directive ${sql(d)}
    JOIN identity_link ${sql(mine)} ON ${sql(mine)}.patient_id = ${sql(d)}.patient_id
      AND ${sql(mine)}.state IN ('MATCH', 'REDIRECT')
    JOIN identity_link ${sql(other)} ON ${sql(other)}.person_id = ${sql(mine)}.person_id
      AND ${sql(other)}.state IN ('MATCH', 'REDIRECT')
    WHERE ${directiveHides(sql, d, restriction)})`;
}

/**
 * The same rule as `visibleUnderConsent`, for statements that read many rows (exports, views): the hidden patients
 * are gathered once per statement into a hashed set, and each row's compartments are looked up in it (a couple of
 * microseconds) instead of probing directives and identity links per row. `IS TRUE` keeps the `IN` a hashed
 * subplan (a bare `IN` is pulled up into a join rebuilt for every row). The set must fit hash memory, or the planner
 * re-reads it for every row: scans run on a connection with `work_mem` raised for it (reserveForScan). Searches and
 * reads, which touch few rows, keep the per-row form.
 */
export function visibleUnderConsentForScans(
  sql: Sql,
  row: string,
  restriction: ConsentRestriction,
): Fragment {
  const patient = sql(`${row}_patient`);
  return sql`NOT EXISTS (SELECT 1 FROM unnest(${sql(row)}.compartments) AS ${patient}(id)
    WHERE (${patient}.id IN ${hiddenPatients(sql, restriction, `${row}_hidden`)}) IS TRUE)`;
}
