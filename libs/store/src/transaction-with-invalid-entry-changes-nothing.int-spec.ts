import type { Bundle, Observation, Patient } from 'fhir/r4';
import type postgres from 'postgres';
import type { FhirStore } from './fhir-store';
import { aPatient, anObservation, TEST_IDENTIFIER_SYSTEM } from './testing/fhir-builders';
import { failure, openTestStore, token } from './testing/test-store';

describe('a transaction bundle with one invalid entry changes nothing', () => {
  let store: FhirStore;
  let sql: postgres.Sql;
  let close: () => Promise<void>;

  beforeAll(async () => ({ store, sql, close } = await openTestStore()));
  afterAll(() => close());

  it('rolls back every entry and names the entry and the problem', async () => {
    const existing = await store.create(aPatient(`tx-existing-${token()}`));
    const patientUrl = 'urn:uuid:5b3a1a5e-2a0e-4c1b-9d4e-1f2a3b4c5d6e';
    const newValue = `tx-${token()}`;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: patientUrl,
          resource: aPatient(newValue),
          request: { method: 'POST', url: 'Patient' },
        },
        { resource: anObservation(patientUrl), request: { method: 'POST', url: 'Observation' } },
        { request: { method: 'DELETE', url: `Patient/${existing.id}` } },
        {
          resource: anObservation(patientUrl, { status: 'done' as Observation['status'] }),
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const error = await failure(store.processBundle(bundle));
    expect(error.status).toBe(422);
    expect(error.outcome.issue).toEqual([
      expect.objectContaining({
        code: 'code-invalid',
        expression: ['Bundle.entry[3].resource.status'],
        diagnostics: expect.stringContaining('Bundle.entry[3]'),
      }),
    ]);
    // the DELETE ran first (spec order) and was rolled back with the rest
    expect((await store.read('Patient', existing.id)).meta?.versionId).toBe('1');
    const history =
      await sql`SELECT version_id FROM resource_history WHERE resource_type = 'Patient' AND id = ${existing.id}`;
    expect(history).toHaveLength(1);
    const created =
      await sql`SELECT 1 FROM resource WHERE resource_type = 'Patient' AND content @> ${sql.json({ identifier: [{ value: newValue }] })}`;
    expect(created).toHaveLength(0);
  });

  it('a failing entry later in processing order (a stale If-Match) also rolls back the creates', async () => {
    const existing = await store.create(aPatient(`tx-stale-${token()}`));
    const value = `tx-rolled-back-${token()}`;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: aPatient(value), request: { method: 'POST', url: 'Patient' } },
        {
          resource: { ...(existing.resource as Patient) },
          request: { method: 'PUT', url: `Patient/${existing.id}`, ifMatch: 'W/"7"' },
        },
      ],
    };
    const error = await failure(store.processBundle(bundle));
    expect(error.status).toBe(412);
    expect(error.outcome.issue[0].expression).toEqual(['Bundle.entry[1]']);
    const rows =
      await sql`SELECT 1 FROM resource WHERE resource_type = 'Patient' AND content @> ${sql.json({ identifier: [{ value }] })}`;
    expect(rows).toHaveLength(0);
  });

  it('commits a valid transaction in spec order with urn:uuid references rewritten, answering a transaction-response', async () => {
    const patientUrl = 'urn:uuid:0c3b1f7e-8f6a-4d52-9a1b-2c3d4e5f6a7b';
    const toDelete = await store.create(aPatient(`tx-del-${token()}`));
    const clientId = `tx-put-${token()}`;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: anObservation(patientUrl), request: { method: 'POST', url: 'Observation' } },
        {
          fullUrl: patientUrl,
          resource: aPatient(`tx-ok-${token()}`),
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: {
            ...aPatient(clientId),
            id: clientId,
            link: [{ other: { reference: patientUrl }, type: 'seealso' }],
          },
          request: { method: 'PUT', url: `Patient/${clientId}` },
        },
        { request: { method: 'DELETE', url: `Patient/${toDelete.id}` } },
        { request: { method: 'GET', url: `Patient/${toDelete.id}/_history/1` } },
      ],
    };
    const response = await store.processBundle(bundle);
    expect(response.type).toBe('transaction-response');
    expect(response.entry?.map((entry) => entry.response?.status)).toEqual([
      '201 Created',
      '201 Created',
      '201 Created',
      '200 OK',
      '200 OK',
    ]);
    const patientLocation = response.entry?.[1].response?.location as string;
    expect(patientLocation).toMatch(/^Patient\/[0-9a-f-]{36}\/_history\/1$/);
    const patientRef = patientLocation.split('/_history')[0];
    const observationId = (response.entry?.[0].response?.location as string).split('/')[1];
    expect((await store.read<Observation>('Observation', observationId)).subject?.reference).toBe(patientRef);
    expect((await store.read<Patient>('Patient', clientId)).link?.[0].other.reference).toBe(patientRef);
    expect(response.entry?.[2].response).toMatchObject({ etag: 'W/"1"', lastModified: expect.any(String) });
    expect((await failure(store.read('Patient', toDelete.id))).status).toBe(410);
  });

  it('answers a batch entry by entry: failures do not stop the others', async () => {
    const batchValue = `batch-${token()}`;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: aPatient(batchValue), request: { method: 'POST', url: 'Patient' } },
        {
          resource: aPatient('bad', { gender: 'nope' as Patient['gender'] }),
          request: { method: 'POST', url: 'Patient' },
        },
        { request: { method: 'GET', url: `Patient/missing-${token()}` } },
        { request: { method: 'POST', url: 'NotAType' } },
        { request: { method: 'GET', url: `Patient?identifier=${TEST_IDENTIFIER_SYSTEM}|${batchValue}` } },
      ],
    };
    const response = await store.processBundle(bundle);
    expect(response.type).toBe('batch-response');
    expect(response.entry?.map((entry) => entry.response?.status)).toEqual([
      '201 Created',
      '422 Unprocessable Entity',
      '404 Not Found',
      '400 Bad Request',
      '200 OK',
    ]);
    const searchset = response.entry?.[4].resource as Bundle;
    expect(searchset).toMatchObject({ type: 'searchset', entry: [{ search: { mode: 'match' } }] });
    expect(searchset.entry?.[0].resource?.id).toBe(
      (response.entry?.[0].response?.location as string).split('/')[1],
    );
    expect(response.entry?.[1].response?.outcome).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ expression: ['Bundle.entry[1].resource.gender'] }],
    });
  });
});
