import { readFileSync } from 'node:fs';
import { parseSearchRequest } from '@continuum/fhir';
import { fixturePath } from '@continuum/testing/test-fixtures';
import type { Bundle, Observation, Patient } from 'fhir/r4';
import type postgres from 'postgres';
import type { FhirStore } from './fhir-store';
import { aPatient, TEST_IDENTIFIER_SYSTEM } from './testing/fhir-builders';
import { openTestStore, token } from './testing/test-store';

/**
 * A transaction's plain creates and updates (POST without If-None-Exist, PUT by id without If-Match) are written
 * together (`ResourceWriter.putMany`: one lock statement, one statement per table), with what each single write
 * gives: a version, its history row, its outbox row in the same transaction, its search index rows, references
 * rewritten; an update replaces the old index rows; two transactions creating the same new ids both succeed.
 */
describe('a transaction writes its plain entries together, each as a single write would be', () => {
  let store: FhirStore;
  let sql: postgres.Sql;
  let close: () => Promise<void>;

  beforeAll(async () => ({ store, sql, close } = await openTestStore()));
  afterAll(() => close());

  const searchIds = async (type: string, params: Record<string, string>) =>
    (await store.search(parseSearchRequest(type, params))).matches.map((match) => match.id);

  it('stores every entry of a Synthea bundle with its version, history, outbox and index rows', async () => {
    const bundle = JSON.parse(
      readFileSync(
        fixturePath('synthea-r4-bundles', 'Luigi_Wiegand_e27d88b0-c5e5-4042-ad49-184f6a900ee3.json'),
        'utf8',
      ),
    ) as Bundle;
    const requestId = `tx-together-${token()}`;
    const response = await store.processBundle(bundle, { requestId });

    const created = (response.entry ?? []).map((entry) => {
      expect(entry.response?.status).toBe('201 Created');
      const [type, id, , version] = (entry.response?.location ?? '').split('/');
      expect(version).toBe('1');
      return { type, id };
    });
    expect(created).toHaveLength(bundle.entry?.length ?? -1);
    const types = created.map((ref) => ref.type);
    const ids = created.map((ref) => ref.id);
    const counts = async (table: string) =>
      Number(
        (
          await sql<{ n: string }[]>`SELECT count(*) AS n FROM ${sql(table)}
            WHERE (resource_type, id) IN (SELECT * FROM unnest(${types}::text[], ${ids}::text[]))`
        )[0].n,
      );
    expect(await counts('resource')).toBe(created.length);
    expect(await counts('resource_history')).toBe(created.length);
    // the outbox rows carry the writing request: one per version, written in the data's transaction
    const [{ n: changes }] = await sql<{ n: string }[]>`
      SELECT count(*) AS n FROM resource_change WHERE request_id = ${requestId} AND operation = 'create'`;
    expect(Number(changes)).toBe(created.length);

    // references to the bundle's urn:uuids point at the new ids, and the index finds them through them
    const patient = created.find((ref) => ref.type === 'Patient');
    const observations = created.filter((ref) => ref.type === 'Observation').map((ref) => ref.id);
    expect(observations.length).toBeGreaterThan(10);
    const stored = await store.read<Observation>('Observation', observations[0]);
    expect(stored.subject?.reference).toBe(`Patient/${patient?.id}`);
    expect(stored.meta?.versionId).toBe('1');
    expect(
      (await searchIds('Observation', { subject: `Patient/${patient?.id}`, _count: '1000' })).sort(),
    ).toEqual([...observations].sort());
  });

  it('updates by PUT beside creates: version 2, its old index rows replaced', async () => {
    const existing = await store.create(aPatient(`tx-old-${token()}`));
    const renamed = `tx-new-${token()}`;
    const fresh = `tx-fresh-${token()}`;
    const response = await store.processBundle({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: aPatient(fresh), request: { method: 'POST', url: 'Patient' } },
        {
          resource: { ...aPatient(renamed), id: existing.id },
          request: { method: 'PUT', url: `Patient/${existing.id}` },
        },
      ],
    });
    expect(response.entry?.map((entry) => entry.response?.status)).toEqual(['201 Created', '200 OK']);
    expect(response.entry?.[1].response?.location).toBe(`Patient/${existing.id}/_history/2`);
    expect((await store.read<Patient>('Patient', existing.id)).identifier?.[0].value).toBe(renamed);
    const oldValue = (existing.resource as Patient).identifier?.[0].value;
    expect(await searchIds('Patient', { identifier: `${TEST_IDENTIFIER_SYSTEM}|${oldValue}` })).toEqual([]);
    expect(await searchIds('Patient', { identifier: `${TEST_IDENTIFIER_SYSTEM}|${renamed}` })).toEqual([
      existing.id,
    ]);
    expect(await searchIds('Patient', { identifier: `${TEST_IDENTIFIER_SYSTEM}|${fresh}` })).toHaveLength(1);
  });

  it('lets two transactions that create the same new ids (in opposite orders) both commit, one after the other', async () => {
    const [first, second] = [`tx-race-a-${token()}`, `tx-race-b-${token()}`];
    const put = (id: string, note: string) => ({
      resource: { ...aPatient(`${id}-${note}`), id },
      request: { method: 'PUT' as const, url: `Patient/${id}` },
    });
    const results = await Promise.all([
      store.processBundle({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [put(first, 'x'), put(second, 'x')],
      }),
      store.processBundle({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [put(second, 'y'), put(first, 'y')],
      }),
    ]);
    const statuses = results.flatMap((result) => result.entry?.map((entry) => entry.response?.status));
    expect(statuses.sort()).toEqual(['200 OK', '200 OK', '201 Created', '201 Created']);
    for (const id of [first, second]) {
      expect((await store.read('Patient', id)).meta?.versionId).toBe('2');
      const history =
        await sql`SELECT version_id FROM resource_history WHERE resource_type = 'Patient' AND id = ${id}`;
      expect(history.map((row) => row.version_id).sort()).toEqual([1, 2]);
    }
  });
});
