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
