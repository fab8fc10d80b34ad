import { randomUUID } from 'node:crypto';
import { CONFIDENTIALITY_SYSTEM } from '@continuum/fhir';
import type { Patient } from 'fhir/r4';
import type postgres from 'postgres';

/** The `meta.security` the national demographics service (PDS) gives a restricted (S-flag) patient. */
export const RESTRICTED_META = {
  security: [{ system: CONFIDENTIALITY_SYSTEM, code: 'R', display: 'restricted' }],
};

/** A source Patient with every locating detail filled in, restricted or not. */
export function aLocatablePatient(
  id: string,
  options: { restricted?: boolean; postcode?: string; family?: string } = {},
): Patient {
  return {
    resourceType: 'Patient',
    id,
    ...(options.restricted ? { meta: RESTRICTED_META } : {}),
    name: [{ family: options.family ?? 'Hidden', given: ['Person'] }],
    birthDate: '1970-05-05',
    gender: 'female',
    address: [{ line: ['1 Safe House Lane'], city: 'Leeds', postalCode: options.postcode ?? 'LS1 4AP' }],
    telecom: [{ system: 'phone', value: '0113 496 0000' }],
    generalPractitioner: [{ reference: 'Organization/Y12345' }],
  };
}

/** Links these source Patients as one person (MATCH, MANUAL), as the master patient index would. */
export async function linkAsOnePerson(sql: postgres.Sql, patientIds: string[]): Promise<string> {
  const person = randomUUID();
  await sql`INSERT INTO identity_person (id, version) VALUES (${person}, 1)`;
  for (const patientId of patientIds)
    await sql`INSERT INTO identity_link (patient_id, person_id, state, origin, version)
      VALUES (${patientId}, ${person}, 'MATCH', 'MANUAL', 1)`;
  return person;
}
