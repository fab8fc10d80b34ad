import type { Observation, Patient } from 'fhir/r4';

export const TEST_IDENTIFIER_SYSTEM = 'https://continuum.example/Id/store-test';

export function aPatient(identifier: string, overrides: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: TEST_IDENTIFIER_SYSTEM, value: identifier }],
    name: [{ family: 'Smith', given: ['Richard'] }],
    gender: 'male',
    birthDate: '1974-12-25',
    ...overrides,
  };
}

export function anObservation(patientReference: string, overrides: Partial<Observation> = {}): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
    subject: { reference: patientReference },
    valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
    ...overrides,
  };
}
