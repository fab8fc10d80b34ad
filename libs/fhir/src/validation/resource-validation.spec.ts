import * as fs from 'fs';
import * as path from 'path';
import type { Patient, Resource } from 'fhir/r4';
import { fixturePath } from '@continuum/testing/test-fixtures';
import { FhirError } from '../operation-outcome';
import { assertValidResource, findProblems, parseResourceJson } from './resource.validator';

const OFFICIAL = fixturePath('fhir-r4-official-examples');
const UK_CORE = fixturePath('ukcore-examples');
// Not resources, or deliberately invalid in the upstream test suite (see the dataset's SOURCES.md).
const NOT_VALID_EXAMPLES = new Set([
  'bundle-with-no-type.json',
  'explanationofbenefit-example.json',
  'json-patch-tests.json',
]);

const load = <T = Resource>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const examples = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.json') && !NOT_VALID_EXAMPLES.has(file))
    .map((file) => path.join(dir, file));
const errorsOf = (resource: unknown) =>
  findProblems(resource).filter((problem) => (problem.severity ?? 'error') === 'error');

function outcomeOf(action: () => unknown): FhirError {
  try {
    action();
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw error;
  }
  throw new Error('expected a FhirError');
}

describe('resource validation', () => {
  it.each(examples(OFFICIAL))('accepts the official R4 example %s', (file) => {
    expect(errorsOf(load(file))).toEqual([]);
  });

  it.each(examples(UK_CORE))('accepts the UK Core example %s', (file) => {
    expect(errorsOf(load(file))).toEqual([]);
  });

  it('refuses the upstream invalid examples (a Bundle without type)', () => {
    const error = outcomeOf(() => assertValidResource(load(path.join(OFFICIAL, 'bundle-with-no-type.json'))));
    expect(error.status).toBe(422);
    expect(error.outcome.issue.some((issue) => issue.expression?.includes('Bundle.type'))).toBe(true);
  });

  it('lists every problem of a broken patient, each with its FHIRPath location', () => {
    const patient = load<Patient>(path.join(OFFICIAL, 'patient-example.json'));
    const broken = {
      ...patient,
      id: 'not a valid id',
      gender: 'unknown-gender',
      birthDate: '1974-13-45',
      favouriteColour: 'blue',
      managingOrganization: { reference: 'Organisation/1' },
      contact: [{ ...patient.contact?.[0], gender: 'f' }],
      generalPractitioner: [{ reference: '#missing' }],
    };
    const error = outcomeOf(() => assertValidResource(broken));
    expect(error.status).toBe(422);
    const locations = error.outcome.issue.map((issue) => issue.expression?.[0]);
    expect(locations).toEqual(
      expect.arrayContaining([
        'Patient.id',
        'Patient.gender',
        'Patient.birthDate',
        'Patient.favouriteColour',
        'Patient.managingOrganization.reference',
        'Patient.contact[0].gender',
        'Patient.generalPractitioner[0].reference',
      ]),
    );
    expect(error.outcome.issue.every((issue) => issue.severity === 'error')).toBe(true);
  });

  it('checks required bindings on Coding and CodeableConcept too', () => {
    const allergy = load<Resource>(path.join(OFFICIAL, 'allergyintolerance-example.json'));
    const broken = {
      ...allergy,
      clinicalStatus: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'bogus' },
        ],
      },
    };
    expect(errorsOf(broken).map((problem) => problem.expression?.[0])).toEqual([
      'AllergyIntolerance.clinicalStatus',
    ]);
  });

  it('checks elements of contained resources with their own definition', () => {
    const container = load<Resource>(path.join(OFFICIAL, 'patient-container-example.json')) as Patient;
    const broken = { ...container, contained: [{ ...container.contained?.[0], id: 'p1', gender: 'nope' }] };
    expect(errorsOf(broken).map((problem) => problem.expression?.[0])).toContain(
      'Patient.contained[0].gender',
    );
  });

  it('accepts every well-formed reference form and refuses the malformed ones', () => {
    const withReference = (reference: string) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference },
    });
    for (const ok of [
      'Patient/123',
      'Patient/123/_history/2',
      'https://example.org/fhir/Patient/1',
      'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a',
      'urn:oid:1.2.3',
    ]) {
      expect(errorsOf(withReference(ok))).toEqual([]);
    }
    for (const bad of [
      'Patient/',
      'Patient/1/_history',
      'urn:uuid:not-a-uuid',
      'Patient?identifier=x|1',
      'Patient/1 2',
      'NoSuchType/1',
    ]) {
      expect(errorsOf(withReference(bad)).map((problem) => problem.expression?.[0])).toEqual([
        'Observation.subject.reference',
      ]);
    }
  });

  it('refuses a resource over the configured size', () => {
    const error = outcomeOf(() =>
      assertValidResource(
        { resourceType: 'Basic', code: { text: 'x'.repeat(2000) } },
        { maxResourceBytes: 1000 },
      ),
    );
    expect(error.status).toBe(422);
    expect(error.outcome.issue[0].code).toBe('too-long');
  });

  it('refuses an unknown resource type', () => {
    expect(errorsOf({ resourceType: 'Patientt' }).length).toBeGreaterThan(0);
  });

  it('answers 400 (not 422) for unparsable input', () => {
    expect(outcomeOf(() => parseResourceJson('{"resourceType": "Patient",')).status).toBe(400);
    expect(outcomeOf(() => parseResourceJson('[1,2]')).status).toBe(400);
    expect(parseResourceJson(Buffer.from('{"resourceType":"Patient"}')).resourceType).toBe('Patient');
  });
});
