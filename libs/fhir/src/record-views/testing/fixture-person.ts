import type { Encounter, FhirResource, Patient } from 'fhir/r4';
import { IdentifierSystem } from '../../identifier-systems';

/** The date the fixture person's record is read on (medication windows and ages are relative to it). */
export const FIXTURE_NOW = new Date('2026-12-01T09:00:00Z');

export interface FixturePersonOptions {
  /** Prefix of every id, so a test owns its rows in a shared database. */
  prefix: string;
  nhsNumber: string;
  /** Label the GP record restricted (meta.security R). */
  restricted?: boolean;
  deceased?: boolean;
  /** Family name (default Example): a unique one keeps a test's person apart from others in a shared database. */
  family?: string;
  /** Birth date (default 1948-03-07). */
  birthDate?: string;
}

const SNOMED = 'http://snomed.info/sct';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
export const GP_SOURCE = 'A81001:GP-System';
export const HOSPITAL_SOURCE = 'RX1:Hospital-PAS';

/**
 * One person held by two sources (a GP practice and an acute trust), each with its own Patient record linked as the
 * same person, and items for every Core Information Standard section: current and stale medications, a sensitive
 * diagnosis, a ReSPECT form, a safeguarding flag. Role view contract tests and the portal's browser tests share it.
 */
export function fixturePerson(options: FixturePersonOptions): {
  patients: Patient[];
  resources: FhirResource[];
} {
  const id = (name: string) => `${options.prefix}-${name}`;
  const gp = `Patient/${id('gp')}`;
  const hospital = `Patient/${id('hosp')}`;
  const meta = (source: string) => ({ source });
  const coded = (system: string, code: string, display: string) => ({
    coding: [{ system, code, display }],
    text: display,
  });
  const active = (system: string) => ({ coding: [{ system, code: 'active' }] });
  const conditionStatus = (code: string) => ({
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }],
  });
  const repeat = {
    coding: [
      {
        system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy',
        code: 'continuous',
      },
    ],
  };
  const acute = {
    coding: [
      { system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy', code: 'acute' },
    ],
  };
  const patients: Patient[] = [
    {
      resourceType: 'Patient',
      id: id('gp'),
      meta: {
        source: GP_SOURCE,
        ...(options.restricted
          ? { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] }
          : {}),
      },
      identifier: [{ system: IdentifierSystem.nhsNumber, value: options.nhsNumber }],
      name: [
        { use: 'official', family: options.family ?? 'Example', given: ['Ada', 'Mary'], prefix: ['Mrs'] },
      ],
      gender: 'female',
      birthDate: options.birthDate ?? '1948-03-07',
      ...(options.deceased ? { deceasedDateTime: '2026-11-20T10:00:00Z' } : {}),
      address: [{ use: 'home', line: ['1 Quay Street'], city: 'Leeds', postalCode: 'LS1 4AP' }],
      managingOrganization: { display: 'Quayside Medical Practice' },
      generalPractitioner: [
        {
          identifier: { system: IdentifierSystem.odsOrganisationCode, value: 'A81001' },
          display: 'Quayside Medical Practice',
        },
      ],
    },
    {
      resourceType: 'Patient',
      id: id('hosp'),
      meta: { source: HOSPITAL_SOURCE },
      identifier: [{ system: IdentifierSystem.nhsNumber, value: options.nhsNumber }],
      name: [{ family: options.family ?? 'Example', given: ['Ada'] }],
      gender: 'female',
      birthDate: options.birthDate ?? '1948-03-07',
      managingOrganization: { display: 'Leeds Teaching Hospitals' },
      link: [{ other: { reference: gp }, type: 'seealso' }],
    },
  ];
  const encounter = (
    name: string,
    source: string,
    subject: string,
    start: string,
    type: string,
    provider: string,
  ): Encounter => ({
    resourceType: 'Encounter',
    id: id(name),
    meta: meta(source),
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    type: [{ text: type }],
    subject: { reference: subject },
    period: { start, end: start },
    serviceProvider: { display: provider },
  });
  const resources: FhirResource[] = [
    {
      resourceType: 'AllergyIntolerance',
      id: id('allergy-penicillin'),
      meta: meta(GP_SOURCE),
      clinicalStatus: active('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical'),
      code: coded(SNOMED, '91936005', 'Allergy to penicillin'),
      reaction: [{ manifestation: [{ text: 'Anaphylaxis' }] }],
      criticality: 'high',
      patient: { reference: gp },
      recordedDate: '2019-04-02',
    },
    {
      resourceType: 'Condition',
      id: id('asthma'),
      meta: meta(GP_SOURCE),
      clinicalStatus: conditionStatus('active'),
      code: coded(SNOMED, '195967001', 'Asthma'),
      subject: { reference: gp },
      recordedDate: '2001-06-11',
    },
    {
      resourceType: 'Condition',
      id: id('hiv'),
      meta: meta(GP_SOURCE),
      clinicalStatus: conditionStatus('active'),
      code: coded(ICD10, 'B20', 'HIV disease'),
      subject: { reference: gp },
      recordedDate: '2015-02-01',
    },
    {
      resourceType: 'Condition',
      id: id('fracture'),
      meta: meta(HOSPITAL_SOURCE),
      clinicalStatus: conditionStatus('resolved'),
      code: { text: 'Fractured wrist' },
      subject: { reference: hospital },
      recordedDate: '2020-01-05',
    },
    {
      resourceType: 'Condition',
      id: id('copd'),
      meta: meta(HOSPITAL_SOURCE),
      clinicalStatus: conditionStatus('active'),
      code: coded(SNOMED, '13645005', 'Chronic obstructive lung disease'),
      subject: { reference: hospital },
      recordedDate: '2026-08-14',
    },
    {
      resourceType: 'MedicationRequest',
      id: id('salbutamol'),
      meta: meta(GP_SOURCE),
      status: 'active',
      intent: 'order',
      courseOfTherapyType: repeat,
      medicationCodeableConcept: { text: 'Salbutamol 100micrograms/dose inhaler' },
      dosageInstruction: [{ text: 'Two puffs when required' }],
      subject: { reference: gp },
      authoredOn: '2026-01-15',
    },
    {
      resourceType: 'MedicationRequest',
      id: id('amoxicillin-old'),
      meta: meta(GP_SOURCE),
      status: 'completed',
      intent: 'order',
      courseOfTherapyType: acute,
      medicationCodeableConcept: { text: 'Amoxicillin 500mg capsules' },
      subject: { reference: gp },
      authoredOn: '2024-02-01',
    },
    {
      resourceType: 'MedicationRequest',
      id: id('clarithromycin'),
      meta: meta(GP_SOURCE),
      status: 'active',
      intent: 'order',
      courseOfTherapyType: acute,
      medicationCodeableConcept: { text: 'Clarithromycin 500mg tablets' },
      subject: { reference: gp },
      authoredOn: '2026-10-20',
    },
    {
      resourceType: 'MedicationRequest',
      id: id('ramipril-stopped'),
      meta: meta(GP_SOURCE),
      status: 'stopped',
      intent: 'order',
      courseOfTherapyType: repeat,
      medicationCodeableConcept: { text: 'Ramipril 5mg capsules' },
      subject: { reference: gp },
      authoredOn: '2025-11-01',
      dispenseRequest: { validityPeriod: { start: '2025-11-01', end: '2026-09-30' } },
    },
    {
      resourceType: 'MedicationRequest',
      id: id('simvastatin-old-repeat'),
      meta: meta(GP_SOURCE),
      status: 'active',
      intent: 'order',
      courseOfTherapyType: repeat,
      medicationCodeableConcept: { text: 'Simvastatin 20mg tablets' },
      subject: { reference: gp },
      authoredOn: '2024-01-10',
    },
    {
      resourceType: 'Flag',
      id: id('safeguarding'),
      meta: meta(GP_SOURCE),
      status: 'active',
      category: [{ text: 'Safeguarding' }],
      code: { text: 'Adult safeguarding concern: contact social care before discharge' },
      subject: { reference: gp },
      period: { start: '2026-05-02' },
      author: { display: 'Leeds Adult Social Care' },
    },
    {
      resourceType: 'CarePlan',
      id: id('respect'),
      meta: meta(GP_SOURCE),
      status: 'active',
      intent: 'plan',
      title: 'ReSPECT form: not for CPR, ward-based care',
      subject: { reference: gp },
      created: '2026-03-10',
    },
    {
      resourceType: 'CarePlan',
      id: id('copd-plan'),
      meta: meta(HOSPITAL_SOURCE),
      status: 'active',
      intent: 'plan',
      title: 'COPD self-management plan',
      subject: { reference: hospital },
      created: '2026-08-20',
    },
    {
      resourceType: 'CareTeam',
      id: id('district-nurses'),
      meta: meta(GP_SOURCE),
      status: 'active',
      name: 'Leeds North district nursing team',
      subject: { reference: gp },
      period: { start: '2026-04-01' },
      managingOrganization: [{ display: 'Leeds Community Healthcare' }],
    },
    encounter(
      'enc-gp-1',
      GP_SOURCE,
      gp,
      '2026-11-02',
      'GP surgery consultation',
      'Quayside Medical Practice',
    ),
    encounter(
      'enc-gp-2',
      GP_SOURCE,
      gp,
      '2026-06-12',
      'GP telephone consultation',
      'Quayside Medical Practice',
    ),
    encounter(
      'enc-hosp-1',
      HOSPITAL_SOURCE,
      hospital,
      '2026-11-18',
      'Emergency department attendance',
      'Leeds Teaching Hospitals',
    ),
    encounter(
      'enc-hosp-2',
      HOSPITAL_SOURCE,
      hospital,
      '2026-08-14',
      'Respiratory inpatient stay',
      'Leeds Teaching Hospitals',
    ),
    {
      resourceType: 'Observation',
      id: id('haemoglobin'),
      meta: meta(HOSPITAL_SOURCE),
      status: 'final',
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
          ],
        },
      ],
      code: { text: 'Haemoglobin' },
      valueQuantity: { value: 118, unit: 'g/L' },
      subject: { reference: hospital },
      effectiveDateTime: '2026-11-18T11:00:00Z',
    },
    {
      resourceType: 'Observation',
      id: id('lives-alone'),
      meta: meta(GP_SOURCE),
      status: 'final',
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'social-history' },
          ],
        },
      ],
      code: { text: 'Lives alone' },
      subject: { reference: gp },
      effectiveDateTime: '2025-09-01',
    },
    {
      resourceType: 'Procedure',
      id: id('spirometry'),
      meta: meta(HOSPITAL_SOURCE),
      status: 'completed',
      code: { text: 'Spirometry' },
      subject: { reference: hospital },
      performedDateTime: '2026-08-15',
    },
    {
      resourceType: 'Immunization',
      id: id('flu'),
      meta: meta(GP_SOURCE),
      status: 'completed',
      vaccineCode: { text: 'Influenza vaccine' },
      patient: { reference: gp },
      occurrenceDateTime: '2026-10-01',
    },
  ];
  return { patients, resources };
}
