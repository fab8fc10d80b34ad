import type { Patient } from 'fhir/r4';
import type postgres from 'postgres';
import type { FhirStore } from '../fhir-store';
import { aPatient, anObservation } from '../testing/fhir-builders';
import { openTestStore, token } from '../testing/test-store';

describe('bulk upsert: idempotent replays and the stale-copy guard', () => {
  let store: FhirStore;
  let sql: postgres.Sql;
  let close: () => Promise<void>;

  beforeAll(async () => ({ store, sql, close } = await openTestStore()));
  afterAll(() => close());

  const context = { sourceSystem: 'https://example.org/gp-system', requestId: 'batch-1' };

  it('writes a batch like single writes do: versions, compartments, source system, meta.source', async () => {
    const patientId = `bulk-p-${token()}`;
    const observationId = `bulk-o-${token()}`;
    const results = await store.upsertMany(
      [
        { resource: { ...aPatient(patientId), id: patientId }, sourceUpdated: '2026-01-01T10:00:00Z' },
        {
          resource: { ...anObservation(`Patient/${patientId}`), id: observationId },
          sourceUpdated: '2026-01-01T10:00:00Z',
        },
      ],
      context,
    );
    expect(results.map((result) => result.outcome)).toEqual(['created', 'created']);
    const stored = await store.read<Patient>('Patient', patientId);
    expect(stored.meta).toMatchObject({ versionId: '1', source: context.sourceSystem });
    const [row] =
      await sql`SELECT compartments, source_system FROM resource WHERE resource_type = 'Observation' AND id = ${observationId}`;
    expect(row).toMatchObject({ compartments: [patientId], source_system: context.sourceSystem });
  });

  it('an identical replay produces no new version; a newer copy does; an older copy is skipped', async () => {
    const id = `bulk-r-${token()}`;
    const v1 = { resource: { ...aPatient(id), id }, sourceUpdated: '2026-02-01T10:00:00Z' };
    await store.upsertMany([v1], context);
    const replay = await store.upsertMany([v1], context);
    expect(replay).toEqual([expect.objectContaining({ outcome: 'unchanged', versionId: 1 })]);

    const newer = {
      resource: { ...aPatient(id, { gender: 'female' }), id },
      sourceUpdated: '2026-02-02T10:00:00Z',
    };
    expect((await store.upsertMany([newer], context))[0]).toMatchObject({ outcome: 'updated', versionId: 2 });

    const older = {
      resource: { ...aPatient(id, { gender: 'other' }), id },
      sourceUpdated: '2026-02-01T12:00:00Z',
    };
    const stale = await store.upsertMany([older], context);
    expect(stale[0]).toMatchObject({ outcome: 'stale', versionId: 2 });
    expect(stale[0].detail?.issue[0].diagnostics).toMatch(/older than the stored version 2/);
    expect((await store.read<Patient>('Patient', id)).gender).toBe('female');
    const history =
      await sql`SELECT version_id FROM resource_history WHERE resource_type = 'Patient' AND id = ${id}`;
    expect(history).toHaveLength(2);
  });

  it('reports invalid entries and writes the valid ones; repeats of one id in a batch become successive versions', async () => {
    const id = `bulk-d-${token()}`;
    const results = await store.upsertMany(
      [
        { resource: { ...aPatient(id), id }, sourceUpdated: '2026-03-01T10:00:00Z' },
        { resource: { ...aPatient('no-id') } },
        {
          resource: { ...aPatient(id, { gender: 'wrong' as Patient['gender'] }), id: `bulk-bad-${token()}` },
        },
        { resource: { ...aPatient(id, { active: true }), id }, sourceUpdated: '2026-03-01T11:00:00Z' },
        { resource: { ...aPatient(id, { active: false }), id }, sourceUpdated: '2026-03-01T09:00:00Z' },
      ],
      context,
    );
    expect(results.map((result) => result.outcome)).toEqual([
      'created',
      'invalid',
      'invalid',
      'updated',
      'stale',
    ]);
    expect(results[2].detail?.issue[0].expression).toEqual(['Patient.gender']);
    expect(await store.read<Patient>('Patient', id)).toMatchObject({
      active: true,
      meta: { versionId: '2' },
    });
  });

  it('an ifAbsent placeholder is stored for a new resource and never overwrites a stored one', async () => {
    const id = `bulk-a-${token()}`;
    const fuller = { ...aPatient(id, { gender: 'female', active: true }), id };
    const placeholder = { ...aPatient(id), id };
    const [created] = await store.upsertMany([{ resource: placeholder, ifAbsent: true }], context);
    expect(created).toMatchObject({ outcome: 'created', versionId: 1 });
    await store.upsertMany([{ resource: fuller }], context);
    const [again] = await store.upsertMany([{ resource: placeholder, ifAbsent: true }], context);
    expect(again).toMatchObject({ outcome: 'unchanged', versionId: 2 });
    expect(await store.read<Patient>('Patient', id)).toMatchObject({
      gender: 'female',
      active: true,
      meta: { versionId: '2' },
    });
  });

  it('retained elements absent from a copy are kept from the stored version; present ones replace it', async () => {
    const id = `bulk-k-${token()}`;
    const contact = [{ name: { family: 'Kin' } }];
    await store.upsertMany([{ resource: { ...aPatient(id, { contact }), id } }], context);
    const withoutContact: Patient = { ...aPatient(id, { gender: 'female' }), id };
    const [kept] = await store.upsertMany([{ resource: withoutContact, retain: ['contact'] }], context);
    expect(kept).toMatchObject({ outcome: 'updated', versionId: 2 });
    expect(await store.read<Patient>('Patient', id)).toMatchObject({ gender: 'female', contact });
    const [replay] = await store.upsertMany([{ resource: withoutContact, retain: ['contact'] }], context);
    expect(replay).toMatchObject({ outcome: 'unchanged', versionId: 2 });
    const newKin = [{ name: { family: 'Other' } }];
    const withNewKin: Patient = { ...withoutContact, contact: newKin };
    await store.upsertMany([{ resource: withNewKin, retain: ['contact'] }], context);
    expect((await store.read<Patient>('Patient', id)).contact).toEqual(newKin);
  });

  it('concurrent batches touching the same resources neither deadlock nor lose versions', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `bulk-c-${i}-${token()}`);
    await store.upsertMany(ids.map((id) => ({ resource: { ...aPatient(id), id } })));
    await Promise.all(
      Array.from({ length: 5 }, (_, writer) =>
        store.upsertMany(
          (writer % 2 ? [...ids].reverse() : ids).map((id) => ({
            resource: { ...aPatient(id, { name: [{ family: `W${writer}` }] }), id },
          })),
        ),
      ),
    );
    const rows = await sql<
      { id: string; version_id: number }[]
    >`SELECT id, version_id FROM resource WHERE resource_type = 'Patient' AND id IN ${sql(ids)}`;
    expect(rows.every((row) => row.version_id === 6)).toBe(true);
  });
});
