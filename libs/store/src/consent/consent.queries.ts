import type { ConsentRestriction } from '@continuum/fhir';
import type postgres from 'postgres';
import { mappingTransientErrors } from '../database/postgres-errors';
import { directiveHides } from './consent-directive.sql';

/**
 * What the secured door's consent checks of single resources read from the store: which of some patients the
 * caller's restriction hides, by the same SQL rule searches apply (consent-directive.sql.ts). One indexed look-up;
 * the rules themselves are libs/security's (consent.evaluator).
 */
export class ConsentQueries {
  constructor(private readonly sql: postgres.Sql) {}

  async hiddenAmong(patientIds: string[], restriction: ConsentRestriction): Promise<Set<string>> {
    if (!patientIds.length) return new Set();
    const rows = await mappingTransientErrors(
      () => this.sql<{ patient_id: string }[]>`
        SELECT DISTINCT d.patient_id FROM consent_directive d
        WHERE d.patient_id = ANY(${patientIds}::text[]) AND ${directiveHides(this.sql, 'd', restriction)}`,
    );
    return new Set(rows.map((row) => row.patient_id));
  }
}
