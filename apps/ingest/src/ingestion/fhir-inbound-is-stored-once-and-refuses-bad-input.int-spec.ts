import type { Observation, Patient, Provenance } from 'fhir/r4';
import { IdentifierSystem, sourceScopedId } from '@continuum/fhir';
import { aValidNhsNumber, anInvalidNhsNumber, readTopic, waitFor } from '@continuum/testing';
import { IngestTestHarness } from '../testing/ingest-test-harness';

const SOURCE = 'Y12345:EMIS-Web';

describe('FHIR ingestion through the real Kafka into Postgres', () => {
  const harness = new IngestTestHarness();
  const nhsNumber = aValidNhsNumber();
  const patientSourceId = `gp-${harness.suffix}`;
  const patientId = sourceScopedId(SOURCE, 'Patient', patientSourceId);

  const patient: Patient = {
    resourceType: 'Patient',
    id: patientSourceId,
    meta: { lastUpdated: '2025-03-01T09:00:00Z' },
    identifier: [
      {
        system: IdentifierSystem.nhsNumber,
        value: `${nhsNumber.slice(0, 3)} ${nhsNumber.slice(3, 6)} ${nhsNumber.slice(6)}`,
      },
    ],
    name: [{ family: 'Zoë', given: ['Ada'] }],
    gender: 'female',
    birthDate: '1961-04-12',
  };
  const observation: Observation = {
    resourceType: 'Observation',
    id: `obs-${harness.suffix}`,
    status: 'final',
    code: { coding: [{ system: 'http://snomed.info/sct', code: '364075005', display: 'Heart rate' }] },
    subject: { reference: `Patient/${patientSourceId}` },
    valueQuantity: { value: 72, unit: 'beats/min', system: 'http://unitsofmeasure.org', code: '/min' },
  };
  const headers = (messageId: string) => ({
    'source-system': SOURCE,
    'message-id': `${messageId}-${harness.suffix}`,
    'content-type': 'application/fhir+json',
  });

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('stores resources under source-scoped ids, normalised, with a Provenance, and refuses bad input to the DLQ', async () => {
    await harness.publishFhir([
      { key: nhsNumber, value: JSON.stringify(patient), headers: headers('m-1') },
      { key: nhsNumber, value: JSON.stringify(observation), headers: headers('m-2') },
      { key: nhsNumber, value: '{"resourceType": "Patient", "name": [', headers: headers('m-bad-json') },
      {
        key: nhsNumber,
        value: JSON.stringify({ resourceType: 'Patient', gender: 'x', colour: 'blue' }),
        headers: headers('m-invalid-fhir'),
      },
      {
        key: nhsNumber,
        value: JSON.stringify({
          resourceType: 'Patient',
          identifier: [{ system: IdentifierSystem.nhsNumber, value: anInvalidNhsNumber() }],
        }),
        headers: headers('m-bad-nhs'),
      },
      {
        key: nhsNumber,
        value: JSON.stringify(patient),
        headers: { 'message-id': `m-no-source-${harness.suffix}` },
      },
    ]);

    const stored = await waitFor(
      () => harness.store.read<Patient>('Patient', patientId).catch(() => undefined),
      Boolean,
      {
        what: 'the patient to be stored',
      },
    );
    expect(stored!.identifier).toEqual([{ system: IdentifierSystem.nhsNumber, value: nhsNumber }]);
    expect(stored!.meta?.source).toBe(SOURCE);
    expect(stored!.meta?.versionId).toBe('1');

    const storedObservation = await waitFor(
      () =>
        harness.store
          .read<Observation>('Observation', sourceScopedId(SOURCE, 'Observation', observation.id!))
          .catch(() => undefined),
      Boolean,
    );
    expect(storedObservation!.subject?.reference).toBe(`Patient/${patientId}`);

    const provenance = await harness.store.read<Provenance>(
      'Provenance',
      sourceScopedId(SOURCE, 'Provenance', `m-1-${harness.suffix}`),
    );
    expect(provenance.target).toEqual([{ reference: `Patient/${patientId}` }]);
    expect(provenance.entity?.[0].what?.identifier?.value).toBe(`m-1-${harness.suffix}`);

    const deadLetters = await readTopic(harness.kafka, harness.topics.dlq, 4);
    const byMessage = Object.fromEntries(
      deadLetters.map((record) => [
        record.headers['message-id']?.replace(`-${harness.suffix}`, '') ?? 'none',
        record,
      ]),
    );
    expect(byMessage['m-bad-json'].headers['dlq-error-code']).toBe('malformed-json');
    expect(byMessage['m-bad-json'].value).toBe('{"resourceType": "Patient", "name": ['); // unchanged
    expect(byMessage['m-invalid-fhir'].headers['dlq-error-code']).toBe('invalid-fhir');
    expect(byMessage['m-invalid-fhir'].headers['dlq-reason']).toMatch(/colour/);
    expect(byMessage['m-invalid-fhir'].headers['dlq-reason']).toMatch(/gender/);
    expect(byMessage['m-bad-nhs'].headers['dlq-error-code']).toBe('invalid-content');
    expect(byMessage['m-bad-nhs'].headers['dlq-reason']).toMatch(/modulus 11/);
    expect(byMessage['m-no-source'].headers['dlq-error-code']).toBe('missing-header');
    for (const record of deadLetters) {
      expect(record.headers['dlq-origin-topic']).toBe(harness.topics.fhir);
      expect(JSON.parse(record.headers['dlq-operation-outcome']).resourceType).toBe('OperationOutcome');
    }
  });

  it('ingests a replay of the same messages as nothing new', async () => {
    await harness.publishFhir([
      { key: nhsNumber, value: JSON.stringify(patient), headers: headers('m-1') },
      { key: nhsNumber, value: JSON.stringify({ ...patient, gender: 'male' }), headers: headers('m-1') }, // same id, altered: still a replay
      { key: nhsNumber, value: JSON.stringify(observation), headers: headers('m-2') },
      {
        key: nhsNumber,
        value: JSON.stringify({ ...patient, name: [{ family: 'Marker' }] }),
        headers: headers(`m-marker`),
      },
    ]);
    await waitFor(
      () => harness.store.read<Patient>('Patient', patientId),
      (current) => current.name?.[0].family === 'Marker',
      { what: 'the marker message after the replayed ones' },
    );
    const history = await harness.store.history({ resourceType: 'Patient', id: patientId });
    expect(history.entry?.map((entry) => entry.resource?.meta?.versionId)).toEqual(['2', '1']);
    expect((await harness.store.read<Patient>('Patient', patientId)).gender).toBe('female');
  });

  it('never lets an older copy overwrite a newer one', async () => {
    await harness.publishFhir([
      {
        key: nhsNumber,
        value: JSON.stringify({
          ...patient,
          meta: { lastUpdated: '2025-05-01T00:00:00Z' },
          birthDate: '1961-04-13',
        }),
        headers: headers('m-newer'),
      },
      {
        key: nhsNumber,
        value: JSON.stringify({
          ...patient,
          meta: { lastUpdated: '2024-01-01T00:00:00Z' },
          birthDate: '1900-01-01',
        }),
        headers: headers('m-older'),
      },
      {
        key: nhsNumber,
        value: JSON.stringify({ ...observation, status: 'amended' }),
        headers: headers('m-after'),
      },
    ]);
    await waitFor(
      () =>
        harness.store.read<Observation>(
          'Observation',
          sourceScopedId(SOURCE, 'Observation', observation.id!),
        ),
      (current) => current.status === 'amended',
    );
    expect((await harness.store.read<Patient>('Patient', patientId)).birthDate).toBe('1961-04-13');
  });
});
