import type { Consent } from 'fhir/r4';
import type postgres from 'postgres';
import type { ResourceRef } from '../scan/resource-source.reader';
import type { Queryable } from '../store.types';

/**
 * What the secured door's consent checks read from the store, as two indexed lookups: the patient compartments of
 * found resources (their stored column, so `_elements` or `_summary` cannot hide a subject) and the Consents of
 * those patients. Queries only: the decisions are libs/security's. Each runs on the pool, or on `db` when given (a
 * write's own transaction, so the checks see what it sees and need no second connection).
 */
export class ConsentQueries {
  constructor(private readonly sql: postgres.Sql) {}

  async compartments(refs: ResourceRef[], db: Queryable = this.sql): Promise<Map<string, string[]>> {
    if (!refs.length) return new Map();
    const rows = await db<{ resource_type: string; id: string; compartments: string[] }[]>`
      SELECT r.resource_type, r.id, r.compartments FROM resource r
      JOIN unnest(${refs.map((ref) => ref.resourceType)}::text[], ${refs.map((ref) => ref.id)}::text[])
        AS wanted(resource_type, id) ON r.resource_type = wanted.resource_type AND r.id = wanted.id`;
    return new Map(rows.map((row) => [`${row.resource_type}/${row.id}`, row.compartments]));
  }

  /** Current Consent resources in these patients' compartments, by patient id. */
  async consentsOf(patientIds: string[], db: Queryable = this.sql): Promise<Map<string, Consent[]>> {
    const byPatient = new Map<string, Consent[]>();
    if (!patientIds.length) return byPatient;
    const rows = await db<{ content: Consent; compartments: string[] }[]>`
      SELECT content, compartments FROM resource
      WHERE resource_type = 'Consent' AND NOT deleted AND compartments && ${patientIds}::text[]`;
    for (const row of rows)
      for (const patient of row.compartments)
        byPatient.set(patient, [...(byPatient.get(patient) ?? []), row.content]);
    return byPatient;
  }
}
