import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Encounter, Patient, Provenance } from 'fhir/r4';
import { IdentifierSystem, sourceScopedId } from '@continuum/fhir';
import { fixturePath, readTopic, waitFor } from '@continuum/testing';
import { IngestTestHarness } from '../testing/ingest-test-harness';

const SOURCE = 'RXX:PAS';
const samples = fixturePath('hl7v2-samples', 'nhs-itk-adt');

describe('HL7 v2 ingestion through the real Kafka into Postgres', () => {
  const harness = new IngestTestHarness();
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('stores an ADT^A01 as Patient and Encounter, and dead-letters unparseable and unsupported messages', async () => {
    // The sample's control id is made unique so this test owns its ledger entries.
    const a01 = readFileSync(join(samples, 'ITK_ADT_A01_example.hl7'), 'utf8');
    const fields = a01.split(/\r\n|\n|\r/)[0].split('|');
    const controlId = `A01-${harness.suffix}`;
    fields[9] = controlId;
    const message = [fields.join('|'), ...a01.split(/\r\n|\n|\r/).slice(1)].join('\r');
    const unsupported = message
      .replace(/\|ADT\^A01(\^ADT_A01)?\|/, '|ADT^A60|')
      .replace(controlId, `A60-${harness.suffix}`);

    await harness.publishHl7([
      { key: 'k', value: message, headers: { 'source-system': SOURCE } },
      {
        key: 'k',
        value: 'this is not an HL7 message',
        headers: { 'source-system': SOURCE, 'message-id': `garbage-${harness.suffix}` },
      },
      { key: 'k', value: unsupported, headers: { 'source-system': SOURCE } },
      // no message-id header either: there is no MSH-10 to take it from, because this is not HL7 v2 at all
      { key: 'k', value: 'not HL7 either', headers: { 'source-system': SOURCE } },
    ]);

    const deadLetters = await readTopic(harness.kafka, harness.topics.dlq, 3);
    const codes = deadLetters.map((record) => record.headers['dlq-error-code']).sort();
    expect(codes).toEqual(['hl7-unparseable', 'hl7-unparseable', 'hl7-unsupported-event']);
    for (const record of deadLetters.filter((r) => r.headers['dlq-error-code'] === 'hl7-unparseable')) {
      expect(record.headers['dlq-reason']).toBe('not an HL7 v2 message: no MSH segment (at MSH)');
    }
    expect(
      deadLetters.find((record) => record.headers['dlq-error-code'] === 'hl7-unsupported-event')!.headers[
        'dlq-reason'
      ],
    ).toMatch(/A60/);

    const provenance = await waitFor(
      () =>
        harness.store
          .read<Provenance>('Provenance', sourceScopedId(SOURCE, 'Provenance', controlId))
          .catch(() => undefined),
      Boolean,
      { what: 'the Provenance of the A01' },
    );
    const targets = provenance!.target.map((target) => target.reference!);
    const patientRef = targets.find((reference) => reference.startsWith('Patient/'))!;
    const encounterRef = targets.find((reference) => reference.startsWith('Encounter/'))!;
    const patient = await harness.store.read<Patient>('Patient', patientRef.split('/')[1]);
    expect(patient.identifier?.some((identifier) => identifier.system === IdentifierSystem.nhsNumber)).toBe(
      true,
    );
    expect(patient.meta?.source).toBe(SOURCE);
    const encounter = await harness.store.read<Encounter>('Encounter', encounterRef.split('/')[1]);
    expect(encounter.subject?.reference).toBe(patientRef);
  });

  it('an ADT without NK1 and a result message (ORU) keep the next of kin and GP the admission sent', async () => {
    const source = `RXX:PAS-${harness.suffix}`;
    const lines = readFileSync(join(samples, 'ITK_ADT_A01_example.hl7'), 'utf8').split(/\r\n|\n|\r/);
    const pid = lines.find((line) => line.startsWith('PID|'))!;
    const admit = lines.join('\r');
    // an update without NK1 (as the NHS ITK A03 example is): next of kin not sent, not removed
    const update = lines
      .filter((line) => !line.startsWith('NK1'))
      .map((line) =>
        line.startsWith('MSH|') ? line.replace(/ADT\^A01\^ADT_A01\|\d+/, 'ADT^A08^ADT_A01|A08-1') : line,
      )
      .join('\r');
    const result = [
      'MSH|^~\\&|LAB|RCB|ROUTE|ROUTE|201010111000||ORU^R01^ORU_R01|ORU-1|P|2.4',
      pid,
      'OBR|1||LAB-1|B0001^Full blood count|||201010110900',
      'OBX|1|NM|B0307^Haemoglobin (Hb)||135|g/L|130-180|N|||F|||201010110900',
    ].join('\r');

    await harness.publishHl7([{ key: 'p', value: admit, headers: { 'source-system': source } }]);
    await harness.publishHl7([{ key: 'p', value: update, headers: { 'source-system': source } }]);
    await harness.publishHl7([{ key: 'p', value: result, headers: { 'source-system': source } }]);
    const provenance = await waitFor(
      () =>
        harness.store
          .read<Provenance>('Provenance', sourceScopedId(source, 'Provenance', 'ORU-1'))
          .catch(() => undefined),
      Boolean,
      { what: 'the Provenance of the ORU' },
    );
    const patientRef = provenance!.target
      .map((target) => target.reference!)
      .find((r) => r.startsWith('Patient/'))!;
    const patient = await harness.store.read<Patient>('Patient', patientRef.split('/')[1]);
    // the A08 changed nothing that was sent, and the ORU's PID only identifies the patient
    expect(patient.meta?.versionId).toBe('1');
    expect(patient.contact).toHaveLength(1);
    expect(patient.generalPractitioner?.length).toBeGreaterThan(0);
    const observation = provenance!.target.find((target) => target.reference?.startsWith('Observation/'));
    expect(observation).toBeDefined();
  });
});
