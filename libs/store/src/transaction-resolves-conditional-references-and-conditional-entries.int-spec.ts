import { FhirError } from '@continuum/fhir';
import type { Bundle, Observation, Patient } from 'fhir/r4';
import type { FhirStore } from './fhir-store';
import { aPatient, anObservation, TEST_IDENTIFIER_SYSTEM } from './testing/fhir-builders';
import { openTestStore, token } from './testing/test-store';

describe('a transaction resolves conditional references and conditional entries', () => {
  let store: FhirStore;
  let close: () => Promise<void>;

  beforeAll(async () => ({ store, close } = await openTestStore()));
  afterAll(() => close());

  it('rewrites Patient?identifier=... references to the one match', async () => {
    const value = `txref-${token()}`;
    const patient = await store.create(aPatient(value));
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: anObservation(`Patient?identifier=${TEST_IDENTIFIER_SYSTEM}|${value}`),
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const response = await store.processBundle(bundle);
    const observationId = (response.entry?.[0].response?.location as string).split('/')[1];
    expect((await store.read<Observation>('Observation', observationId)).subject?.reference).toBe(
      `Patient/${patient.id}`,
    );
  });

  it('fails the whole transaction with 412 naming the entry when a conditional reference matches nothing', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: aPatient(`txref-ok-${token()}`), request: { method: 'POST', url: 'Patient' } },
        {
          resource: anObservation(`Patient?identifier=${TEST_IDENTIFIER_SYSTEM}|nobody-${token()}`),
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const error = await store.processBundle(bundle).catch((caught: unknown) => caught as FhirError);
    expect(error).toBeInstanceOf(FhirError);
    expect((error as FhirError).status).toBe(412);
    expect((error as FhirError).outcome.issue[0]).toMatchObject({
      expression: ['Bundle.entry[1]'],
      diagnostics: expect.stringContaining('matches nothing'),
    });
  });

  it('maps a conditional create that matches to the existing resource, and references to it follow', async () => {
    const value = `txcc-${token()}`;
    const existing = await store.create(aPatient(value));
    const fullUrl = 'urn:uuid:7d0f6f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6';
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl,
          resource: aPatient(value),
          request: {
            method: 'POST',
            url: 'Patient',
            ifNoneExist: `identifier=${TEST_IDENTIFIER_SYSTEM}|${value}`,
          },
        },
        { resource: anObservation(fullUrl), request: { method: 'POST', url: 'Observation' } },
        {
          resource: aPatient(`txcu-${token()}`, { active: true }),
          request: { method: 'PUT', url: `Patient?identifier=${TEST_IDENTIFIER_SYSTEM}|${value}` },
        },
      ],
    };
    const response = await store.processBundle(bundle);
    expect(response.entry?.map((entry) => entry.response?.status)).toEqual([
      '200 OK',
      '201 Created',
      '200 OK',
    ]);
    const observationId = (response.entry?.[1].response?.location as string).split('/')[1];
    expect((await store.read<Observation>('Observation', observationId)).subject?.reference).toBe(
      `Patient/${existing.id}`,
    );
    expect(await store.read<Patient>('Patient', existing.id)).toMatchObject({
      active: true,
      meta: { versionId: '2' },
    });
  });
});
