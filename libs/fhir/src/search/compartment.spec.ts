import type { Observation, Patient, Resource } from 'fhir/r4';
import { patientCompartmentsOf, patientsPinnedBy } from './compartment';
import { parseSearchRequest } from './search-request.parser';
import { officialExample, syntheaBundleFiles, syntheaResources } from './testing/test-data';

describe('patientCompartmentsOf', () => {
  it('puts a Patient in its own compartment and in those of the patients it links to', () => {
    const patient = officialExample<Patient>('patient-example.json');
    patient.link = [{ other: { reference: 'Patient/other-1' }, type: 'seealso' }];
    expect(patientCompartmentsOf(patient)).toEqual(['example', 'other-1']);
  });

  it('finds the subject of an Observation', () => {
    expect(patientCompartmentsOf(officialExample('observation-example.json'))).toEqual(['example']);
  });

  it('counts performers that are patients, and ignores non-patient targets', () => {
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'self-reported' },
      subject: { reference: 'Group/g1' },
      performer: [{ reference: 'Patient/p2' }, { reference: 'Practitioner/d1' }],
    };
    expect(patientCompartmentsOf(observation)).toEqual(['p2']);
  });

  it('accepts absolute references on our own base URL and refuses other servers', () => {
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: 'https://fhir.example.nhs.uk/R4/Patient/p3' },
      performer: [{ reference: 'https://elsewhere.example.org/fhir/Patient/p4' }],
    };
    expect(patientCompartmentsOf(observation, { baseUrl: 'https://fhir.example.nhs.uk/R4/' })).toEqual([
      'p3',
    ]);
    expect(patientCompartmentsOf(observation)).toEqual([]);
  });

  it('reads versioned references', () => {
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: 'Patient/p5/_history/3' },
    };
    expect(patientCompartmentsOf(observation)).toEqual(['p5']);
  });

  it('is empty for resources never in the compartment and for contained references', () => {
    expect(patientCompartmentsOf(officialExample('organization-example.json'))).toEqual([]);
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: {},
      subject: { reference: '#p' },
    };
    expect(patientCompartmentsOf(observation)).toEqual([]);
  });

  it('places every resource of a Synthea patient bundle that refers to the patient in their compartment', () => {
    for (const file of syntheaBundleFiles().slice(0, 3)) {
      const resources: Resource[] = syntheaResources(file);
      const patient = resources.find((resource) => resource.resourceType === 'Patient');
      expect(patient?.id).toBeDefined();
      const inCompartment = resources.filter((resource) =>
        patientCompartmentsOf(resource).includes(patient?.id ?? ''),
      );
      const types = new Set(inCompartment.map((resource) => resource.resourceType));
      for (const type of [
        'Patient',
        'Encounter',
        'Observation',
        'Condition',
        'Claim',
        'ExplanationOfBenefit',
      ]) {
        if (resources.some((resource) => resource.resourceType === type)) expect(types).toContain(type);
      }
      expect(types).not.toContain('Organization');
      expect(types).not.toContain('Practitioner');
    }
  });

  it('runs in well under a millisecond per resource', () => {
    const resources = syntheaResources(syntheaBundleFiles()[0]);
    resources.forEach((resource) => patientCompartmentsOf(resource));
    const start = process.cpuUsage();
    for (let i = 0; i < 5; i++) resources.forEach((resource) => patientCompartmentsOf(resource));
    const { user, system } = process.cpuUsage(start);
    const perResourceMs = (user + system) / 1000 / (5 * resources.length);
    expect(perResourceMs).toBeLessThan(0.5);
  });
});

describe('patients a search is pinned to (compartment prefilter)', () => {
  const pinned = (resourceType: string, params: [string, string][]) =>
    patientsPinnedBy(
      resourceType,
      parseSearchRequest(resourceType, params, { baseUrl: 'http://fhir.test/fhir' }).filters,
      { baseUrl: 'http://fhir.test/fhir' },
    );

  it('pins a patient or subject reference to a Patient, in every form a client writes it', () => {
    expect(pinned('Observation', [['patient', '123']])).toEqual(['123']);
    expect(pinned('Observation', [['patient', 'Patient/123']])).toEqual(['123']);
    expect(pinned('Observation', [['subject', 'Patient/123,Patient/456']])).toEqual(['123', '456']);
    expect(pinned('Observation', [['subject:Patient', '123']])).toEqual(['123']);
    expect(pinned('Observation', [['patient', 'http://fhir.test/fhir/Patient/123']])).toEqual(['123']);
    expect(
      pinned('Encounter', [
        ['patient', '123'],
        ['date', 'ge2020'],
      ]),
    ).toEqual(['123']);
    // the compartment's own parameters other than patient/subject
    expect(pinned('Coverage', [['beneficiary', 'Patient/9']])).toEqual(['9']);
  });

  it('does not pin what the compartment may not hold', () => {
    // subject may be a Group or Device; a bare id could be any of them
    expect(pinned('Observation', [['subject', '123']])).toBeUndefined();
    expect(pinned('Observation', [['subject', 'Group/1']])).toBeUndefined();
    expect(pinned('Observation', [['subject', 'Patient/1,Group/2']])).toBeUndefined();
    // another server's patient is nobody's compartment here
    expect(pinned('Observation', [['patient', 'http://other.example/fhir/Patient/123']])).toBeUndefined();
    expect(pinned('Observation', [['patient:missing', 'false']])).toBeUndefined();
    expect(pinned('Observation', [['code', 'http://loinc.org|1-8']])).toBeUndefined();
    // Device is not in the Patient compartment at all
    expect(pinned('Device', [['patient', '123']])).toBeUndefined();
    // chains say nothing about the patient's id
    expect(pinned('Observation', [['patient.name', 'Smith']])).toBeUndefined();
  });
});
