import type { ConsentRestriction } from '@continuum/fhir';
import type postgres from 'postgres';
import type { ResourceRef } from '../scan/resource-source.reader';
import type { Queryable } from '../store.types';
import { mappingTransientErrors } from '../database/postgres-errors';
import { directiveHides, personPatients } from './consent-directive.sql';

/**
 * What the secured door's consent checks of single resources read from the store: the patient compartments of
 * found resources (their stored column, so `_elements` or `_summary` cannot hide a subject), and which of some
 * patients the caller's restriction hides, by the same SQL rule searches apply (consent-directive.sql.ts). Indexed
 * look-ups; the rules themselves are libs/security's (consent.evaluator). Each runs on the pool, or on `db` when
 * given (a write's own transaction, so the checks see what it sees and need no second connection).
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

  async hiddenAmong(
    patientIds: string[],
    restriction: ConsentRestriction,
    db: Queryable = this.sql,
  ): Promise<Set<string>> {
    if (!patientIds.length) return new Set();
    const rows = await mappingTransientErrors(
      () => db<{ patient_id: string }[]>`
        SELECT asked.id AS patient_id FROM unnest(${patientIds}::text[]) AS asked(id)
        WHERE EXISTS (SELECT 1 FROM consent_directive d
          WHERE d.patient_id IN ${personPatients(this.sql, this.sql`ARRAY[asked.id]`, 'd')}
            AND ${directiveHides(this.sql, 'd', restriction)})`,
    );
    return new Set(rows.map((row) => row.patient_id));
  }
}
