import { uniqueSuffix } from '@continuum/testing';
import type { Bundle, Observation, Patient } from 'fhir/r4';
import Client from 'fhir-kit-client';
import { startApiAsSystem, type AuthorisedApi } from './support/api-app';

/** fhir-kit-client answers loosely typed resources; these tests check their shape themselves. */
const as = <T>(value: unknown): T => value as T;

describe('a real FHIR client library (fhir-kit-client) drives the API', () => {
  let api: AuthorisedApi;
  let client: Client;
  const system = `urn:continuum:e2e:fkc:${uniqueSuffix()}`;

  beforeAll(async () => {
    api = await startApiAsSystem();
    client = new Client({ baseUrl: api.base, customHeaders: { Authorization: api.authorization } });
  });
  afterAll(() => api.close());

  it('reads the CapabilityStatement', async () => {
    const statement = as<{ fhirVersion: string }>(await client.capabilityStatement());
    expect(statement.fhirVersion).toBe('4.0.1');
  });

  it('creates, reads and updates a patient', async () => {
    const created = as<Patient>(
      await client.create({
        resourceType: 'Patient',
        body: { resourceType: 'Patient', identifier: [{ system, value: 'p1' }] },
      }),
    );
    expect(created.id).toBeDefined();
    const id = created.id ?? '';
    const updated = as<Patient>(
      await client.update({ resourceType: 'Patient', id, body: { ...created, gender: 'female' } }),
    );
    expect(updated.meta?.versionId).toBe('2');
    expect(as<Patient>(await client.read({ resourceType: 'Patient', id })).gender).toBe('female');
  });

  it('posts a transaction, searches with paging to the end, and fetches $everything', async () => {
    const patientUrl = 'urn:uuid:6f4d9c1e-1111-4c8e-9a3b-000000000001';
    const observations = Array.from({ length: 7 }, (_, i) => ({
      resource: as<Observation>({
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system, code: 'hb' }] },
        subject: { reference: patientUrl },
        valueQuantity: { value: 120 + i, unit: 'g/L' },
      }),
      request: { method: 'POST' as const, url: 'Observation' },
    }));
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: patientUrl,
          resource: { resourceType: 'Patient', identifier: [{ system, value: 'p2' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        ...observations,
      ],
    };
    const response = as<Bundle>(
      await client.transaction({
        body: as<Bundle & { resourceType: 'Bundle'; type: 'transaction' }>(transaction),
      }),
    );
    expect(response.type).toBe('transaction-response');
    const patientId = response.entry?.[0].response?.location?.split('/')[1] ?? '';

    let page = as<Bundle>(
      await client.search({ resourceType: 'Observation', searchParams: { code: `${system}|hb`, _count: 3 } }),
    );
    const seen = [...(page.entry ?? [])];
    while (page.link?.some((link) => link.relation === 'next')) {
      page = as<Bundle>(
        await client.nextPage({ bundle: as<Bundle & { type: 'searchset'; resourceType: 'Bundle' }>(page) }),
      );
      seen.push(...(page.entry ?? []));
    }
    expect(seen).toHaveLength(7);

    const everything = as<Bundle>(
      await client.operation({ resourceType: 'Patient', id: patientId, name: '$everything', method: 'GET' }),
    );
    expect(everything.entry?.map((e) => e.resource?.resourceType).sort()).toEqual([
      ...Array<string>(7).fill('Observation'),
      'Patient',
    ]);
  });
});
