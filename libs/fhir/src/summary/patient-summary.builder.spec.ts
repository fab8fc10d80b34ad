import type { Composition, Condition, Observation } from 'fhir/r4';
import { buildPatientSummary, type PatientRecord } from './patient-summary.builder';

const options = {
  baseUrl: 'http://fhir.test/fhir/',
  documentId: 'doc-1',
  now: new Date('2026-01-02T03:04:05Z'),
};

function record(overrides: Partial<PatientRecord> = {}): PatientRecord {
  return {
    patient: { resourceType: 'Patient', id: 'p1' },
    allergies: [],
    conditions: [],
    medications: [],
    encounters: [],
    results: [],
    ...overrides,
  };
}

const condition = (id: string, status: string): Condition => ({
  resourceType: 'Condition',
  id,
  subject: { reference: 'Patient/p1' },
  code: { text: `Problem ${id}` },
  clinicalStatus: { coding: [{ code: status }] },
});

const observation = (id: string, date: string): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] },
  effectiveDateTime: date,
  valueQuantity: { value: 5.4, unit: 'mmol/L' },
});

const compositionOf = (bundle: ReturnType<typeof buildPatientSummary>) =>
  bundle.entry?.[0].resource as Composition;
const section = (composition: Composition, code: string) =>
  composition.section?.find((s) => s.code?.coding?.[0].code === code);

describe('patient summary document', () => {
  it('is a document Bundle whose first entry is the Composition about the patient', () => {
    const bundle = buildPatientSummary(record(), options);
    expect(bundle.type).toBe('document');
    expect(bundle.timestamp).toBe('2026-01-02T03:04:05.000Z');
    expect(bundle.identifier?.value).toBe('urn:uuid:doc-1');
    const composition = compositionOf(bundle);
    expect(composition.type.coding?.[0].code).toBe('60591-5');
    expect(composition.subject?.reference).toBe('http://fhir.test/fhir/Patient/p1');
    expect(bundle.entry?.[1].resource?.resourceType).toBe('Patient');
    expect(composition.section?.map((s) => s.code?.coding?.[0].code)).toEqual([
      '48765-2',
      '11450-4',
      '10160-0',
      '46240-8',
      '30954-2',
    ]);
  });

  it('gives empty sections an empty reason and a narrative saying so', () => {
    const allergies = section(compositionOf(buildPatientSummary(record(), options)), '48765-2');
    expect(allergies?.entry).toBeUndefined();
    expect(allergies?.emptyReason?.coding?.[0].code).toBe('unavailable');
    expect(allergies?.text?.div).toContain('No allergies');
  });

  it('names medications from the Medication they reference and carries those Medications in the document', () => {
    const bundle = buildPatientSummary(
      record({
        medications: [
          {
            resourceType: 'MedicationStatement',
            id: 'ms1',
            status: 'active',
            subject: { reference: 'Patient/p1' },
            medicationReference: { reference: 'http://fhir.test/fhir/Medication/m1' },
          },
          {
            resourceType: 'MedicationRequest',
            id: 'mr1',
            status: 'active',
            intent: 'order',
            subject: { reference: 'Patient/p1' },
            contained: [{ resourceType: 'Medication', id: 'local', code: { text: 'Amoxicillin 500mg' } }],
            medicationReference: { reference: '#local' },
          },
        ],
        medicines: [
          { resourceType: 'Medication', id: 'm1', code: { coding: [{ display: 'Salbutamol 100mcg' }] } },
          { resourceType: 'Medication', id: 'unused', code: { text: 'Not referenced' } },
        ],
      }),
      options,
    );
    const narrative = section(compositionOf(bundle), '10160-0')?.text?.div;
    expect(narrative).toContain('Salbutamol 100mcg');
    expect(narrative).toContain('Amoxicillin 500mg');
    const urls = bundle.entry?.map((e) => e.fullUrl);
    expect(urls).toContain('http://fhir.test/fhir/Medication/m1');
    expect(urls).not.toContain('http://fhir.test/fhir/Medication/unused');
    expect(urls).not.toContain('http://fhir.test/fhir/Medication/local'); // contained stays contained
  });

  it('lists active problems only, each referenced and included in the Bundle', () => {
    const bundle = buildPatientSummary(
      record({ conditions: [condition('c1', 'active'), condition('c2', 'resolved')] }),
      options,
    );
    const problems = section(compositionOf(bundle), '11450-4');
    expect(problems?.entry).toEqual([{ reference: 'http://fhir.test/fhir/Condition/c1' }]);
    expect(bundle.entry?.map((e) => e.fullUrl)).toContain('http://fhir.test/fhir/Condition/c1');
    expect(bundle.entry?.map((e) => e.fullUrl)).not.toContain('http://fhir.test/fhir/Condition/c2');
  });

  it('keeps the most recent results first, bounded, with values in the narrative', () => {
    const results = [
      observation('o1', '2025-01-01'),
      observation('o2', '2025-06-01'),
      observation('o3', '2024-01-01'),
    ];
    const bundle = buildPatientSummary(record({ results }), { ...options, maxResults: 2 });
    const section30954 = section(compositionOf(bundle), '30954-2');
    expect(section30954?.entry?.map((e) => e.reference)).toEqual([
      'http://fhir.test/fhir/Observation/o2',
      'http://fhir.test/fhir/Observation/o1',
    ]);
    expect(section30954?.text?.div).toContain('Glucose: 5.4 mmol/L');
  });

  it('escapes text taken from records in the XHTML narrative', () => {
    const bundle = buildPatientSummary(
      record({ conditions: [{ ...condition('c1', 'active'), code: { text: '<script>&' } }] }),
      options,
    );
    expect(section(compositionOf(bundle), '11450-4')?.text?.div).toContain('&lt;script&gt;&amp;');
  });
});
