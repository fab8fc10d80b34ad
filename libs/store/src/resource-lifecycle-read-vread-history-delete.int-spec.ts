import { FhirError } from '@continuum/fhir';
import type { Patient } from 'fhir/r4';
import type postgres from 'postgres';
import type { FhirStore } from './fhir-store';
import { aPatient } from './testing/fhir-builders';
import { openTestStore, token } from './testing/test-store';

async function statusOf(action: Promise<unknown>): Promise<number> {
  try {
    await action;
    return 0;
  } catch (error) {
    if (error instanceof FhirError) return error.status;
    throw error;
  }
}

describe('a resource through create, update, delete: read, vread, history and 410', () => {
  let store: FhirStore;
  let sql: postgres.Sql;
  let close: () => Promise<void>;

  beforeAll(async () => ({ store, sql, close } = await openTestStore()));
  afterAll(() => close());

  it('creates with a server id, versions each update, keeps deletion as a tombstone version', async () => {
    const created = await store.create(aPatient(`lc-${token()}`, { id: 'ignored-client-id' }), {
      sourceSystem: 'https://example.org/pas',
      requestId: 'req-1',
    });
    expect(created).toMatchObject({ outcome: 'created', status: 201, versionId: 1 });
    expect(created.id).not.toBe('ignored-client-id');
    expect(created.resource?.meta).toMatchObject({ versionId: '1', source: 'https://example.org/pas' });

    const updated = await store.update<Patient>(
      { ...(created.resource as Patient), gender: 'female' },
      {},
      { ifMatch: 'W/"1"' },
    );
    expect(updated).toMatchObject({ outcome: 'updated', status: 200, versionId: 2 });
    expect((await store.read<Patient>('Patient', created.id)).gender).toBe('female');
    expect((await store.vread<Patient>('Patient', created.id, 1)).gender).toBe('male');

    const deleted = await store.delete('Patient', created.id);
    expect(deleted).toMatchObject({ outcome: 'deleted', versionId: 3 });
    expect(await statusOf(store.read('Patient', created.id))).toBe(410);
    expect(await statusOf(store.vread('Patient', created.id, 3))).toBe(410);
    expect((await store.vread<Patient>('Patient', created.id, 2)).gender).toBe('female');
    expect(await store.delete('Patient', created.id)).toMatchObject({ outcome: 'unchanged', versionId: 3 });

    const history = await store.history({ resourceType: 'Patient', id: created.id });
    expect(history.type).toBe('history');
    expect(history.entry?.map((entry) => [entry.request?.method, entry.response?.etag])).toEqual([
      ['DELETE', 'W/"3"'],
      ['PUT', 'W/"2"'],
      ['POST', 'W/"1"'],
    ]);
    expect(history.entry?.[0].resource).toBeUndefined();

    const [row] =
      await sql`SELECT deleted, content, compartments, source_system FROM resource WHERE resource_type = 'Patient' AND id = ${created.id}`;
    expect(row).toMatchObject({ deleted: true, content: null, compartments: [] });

    // an update after a delete brings the resource back as a new version
    const revived = await store.update<Patient>({ ...aPatient('revived'), id: created.id });
    expect(revived).toMatchObject({ outcome: 'created', status: 201, versionId: 4 });
  });

  it('answers 404 for what never existed and accepts update-as-create with a client id', async () => {
    const id = `client-${token()}`;
    expect(await statusOf(store.read('Patient', id))).toBe(404);
    expect(await statusOf(store.vread('Patient', id, 1))).toBe(404);
    expect(await statusOf(store.history({ resourceType: 'Patient', id }))).toBe(404);
    expect(await statusOf(store.history({ resourceType: 'Patientt' }))).toBe(400);
    const created = await store.update<Patient>({ ...aPatient(id), id });
    expect(created).toMatchObject({ outcome: 'created', status: 201, id, versionId: 1 });
  });

  it('refuses an update with a stale If-Match (412) and an invalid resource (422, nothing written)', async () => {
    const created = await store.create(aPatient(`im-${token()}`));
    await store.update({ ...(created.resource as Patient), active: true });
    expect(
      await statusOf(store.update({ ...(created.resource as Patient), active: false }, {}, { ifMatch: '1' })),
    ).toBe(412);
    expect(
      await statusOf(
        store.update({ ...(created.resource as Patient), gender: 'martian' as Patient['gender'] }),
      ),
    ).toBe(422);
    expect((await store.read<Patient>('Patient', created.id)).meta?.versionId).toBe('2');
  });

  it('stores the patient compartment of clinical resources at write time', async () => {
    const patient = await store.create(aPatient(`cp-${token()}`));
    const observation = await store.create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'heart rate' },
      subject: { reference: `Patient/${patient.id}` },
    });
    const [row] =
      await sql`SELECT compartments FROM resource WHERE resource_type = 'Observation' AND id = ${observation.id}`;
    expect(row.compartments).toEqual([patient.id]);
  });

  it('pages type history with _count and a cursor, and filters with _since', async () => {
    const ids: string[] = [];
    const start = new Date().toISOString();
    for (let i = 0; i < 5; i++)
      ids.push((await store.create({ resourceType: 'Basic', code: { text: `history-${i}` } })).id);
    const first = await store.history(
      { resourceType: 'Basic' },
      { since: start, count: 3, baseUrl: 'https://fhir.example/r4' },
    );
    expect(first.entry).toHaveLength(3);
    expect(first.entry?.[0].fullUrl).toMatch(/^https:\/\/fhir\.example\/r4\/Basic\//);
    const next = first.link?.find((link) => link.relation === 'next')?.url as string;
    const cursor = new URL(next).searchParams.get('_cursor') as string;
    const second = await store.history({ resourceType: 'Basic' }, { since: start, count: 3, cursor });
    const seen = [...(first.entry ?? []), ...(second.entry ?? [])].map((entry) => entry.resource?.id);
    expect(seen.filter((id) => ids.includes(id as string)).sort()).toEqual([...ids].sort());
    expect(second.link?.some((link) => link.relation === 'next')).toBe(false);
    const system = await store.history({}, { since: start, count: 1000 });
    expect(system.entry?.map((entry) => entry.resource?.id)).toEqual(expect.arrayContaining(ids));
  });
});
