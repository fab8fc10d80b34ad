import type postgres from 'postgres';

/**
 * The read side of the master patient index on the hot path (every read "for a patient" follows the person): one
 * indexed statement on postgres.js, no TypeORM. MATCH and REDIRECT links say who a patient is.
 */
export class PersonQueries {
  constructor(private readonly sql: postgres.Sql) {}

  /**
   * For each patient id: every patient id of the same person, itself included (a patient the index does not know
   * is a person of its own).
   */
  async samePerson(patientIds: readonly string[]): Promise<Map<string, string[]>> {
    const asked = [...new Set(patientIds)];
    if (!asked.length) return new Map();
    const rows = await this.sql<{ asked: string; patients: string[] }[]>`
      SELECT asked.id AS asked,
             coalesce(array_agg(DISTINCT other.patient_id) FILTER (WHERE other.patient_id IS NOT NULL),
                      ARRAY[asked.id]) AS patients
      FROM unnest(${asked}::text[]) AS asked(id)
      LEFT JOIN identity_link mine ON mine.patient_id = asked.id AND mine.state IN ('MATCH', 'REDIRECT')
      LEFT JOIN identity_link other ON other.person_id = mine.person_id AND other.state IN ('MATCH', 'REDIRECT')
      GROUP BY asked.id`;
    return new Map(rows.map((row) => [row.asked, row.patients.sort()]));
  }

  /** Every patient id of the persons of these patients, the given ones included. */
  async expand(patientIds: readonly string[]): Promise<string[]> {
    const persons = await this.samePerson(patientIds);
    return [...new Set([...patientIds, ...[...persons.values()].flat()])].sort();
  }

  /**
   * Persons whose linked records come from at least `minSources` source systems (`meta.source`, else the source
   * the store recorded), most sources first: where a reader sees what the index joined (the demo prints one).
   */
  personsAcrossSources(minSources: number, limit = 10): Promise<PersonAcrossSources[]> {
    return this.sql<PersonAcrossSources[]>`
      SELECT link.person_id::text AS "personId",
             array_agg(DISTINCT coalesce(r.content #>> '{meta,source}', r.source_system)) AS sources,
             array_agg(link.patient_id ORDER BY link.patient_id) AS "patientIds"
      FROM identity_link link
      JOIN resource r ON r.resource_type = 'Patient' AND r.id = link.patient_id AND NOT r.deleted
      WHERE link.state = 'MATCH'
      GROUP BY link.person_id
      HAVING count(DISTINCT coalesce(r.content #>> '{meta,source}', r.source_system)) >= ${minSources}
      ORDER BY count(DISTINCT coalesce(r.content #>> '{meta,source}', r.source_system)) DESC, link.person_id
      LIMIT ${limit}`;
  }
}

export interface PersonAcrossSources {
  personId: string;
  /** The distinct source systems of the person's records. */
  sources: string[];
  patientIds: string[];
}
