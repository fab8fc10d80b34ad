import { FhirError } from '@continuum/fhir';
import type { Patient } from 'fhir/r4';
import type postgres from 'postgres';
import type { FhirStore } from './fhir-store';
import { aPatient, TEST_IDENTIFIER_SYSTEM } from './testing/fhir-builders';
import { openTestStore, token } from './testing/test-store';

const WRITERS = 20;

describe('concurrent writers never produce a duplicate or a lost update', () => {
  let store: FhirStore;
  let sql: postgres.Sql;
  let close: () => Promise<void>;

  beforeAll(async () => ({ store, sql, close } = await openTestStore()));
  afterAll(() => close());

  it('20 concurrent conditional creates with the same identifier create exactly one resource', async () => {
    const value = `race-${token()}`;
    const results = await Promise.all(
      Array.from({ length: WRITERS }, () =>
        store.create(aPatient(value), {}, { ifNoneExist: `identifier=${TEST_IDENTIFIER_SYSTEM}|${value}` }),
      ),
    );
    expect(results.filter((result) => result.outcome === 'created')).toHaveLength(1);
    expect(results.filter((result) => result.outcome === 'existing')).toHaveLength(WRITERS - 1);
    expect(new Set(results.map((result) => result.id)).size).toBe(1);
    const rows =
      await sql`SELECT id FROM resource WHERE resource_type = 'Patient' AND content @> ${sql.json({ identifier: [{ value }] })}`;
    expect(rows).toHaveLength(1);
  });

  it('20 concurrent updates with the same If-Match: exactly one succeeds, the others get 412', async () => {
    const created = await store.create(aPatient(`ifmatch-${token()}`));
    const settled = await Promise.allSettled(
      Array.from({ length: WRITERS }, (_, i) =>
        store.update<Patient>(
          { ...(created.resource as Patient), name: [{ family: `Writer${i}` }] },
          {},
          { ifMatch: 'W/"1"' },
        ),
      ),
    );
    const succeeded = settled.filter((result) => result.status === 'fulfilled');
    const refused = settled.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as FhirError] : [],
    );
    expect(succeeded).toHaveLength(1);
    expect(refused).toHaveLength(WRITERS - 1);
    expect(refused.every((error) => error instanceof FhirError && error.status === 412)).toBe(true);
    expect((await store.read('Patient', created.id)).meta?.versionId).toBe('2');
  });

  it('20 concurrent blind updates give versions 2..21 with no gap and every write in history', async () => {
    const created = await store.create(aPatient(`blind-${token()}`));
    await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        store.update<Patient>({ ...(created.resource as Patient), name: [{ family: `Blind${i}` }] }),
      ),
    );
    const history = await sql<{ version_id: number; family: string }[]>`
      SELECT version_id, content->'name'->0->>'family' AS family FROM resource_history
      WHERE resource_type = 'Patient' AND id = ${created.id} ORDER BY version_id`;
    expect(history.map((row) => row.version_id)).toEqual(
      Array.from({ length: WRITERS + 1 }, (_, i) => i + 1),
    );
    expect(new Set(history.slice(1).map((row) => row.family))).toEqual(
      new Set(Array.from({ length: WRITERS }, (_, i) => `Blind${i}`)),
    );
    expect((await store.read('Patient', created.id)).meta?.versionId).toBe(String(WRITERS + 1));
  });

  it('20 concurrent update-as-creates of the same client id give one resource with 20 versions', async () => {
    const id = `client-race-${token()}`;
    const results = await Promise.all(
      Array.from({ length: WRITERS }, () => store.update<Patient>({ ...aPatient(id), id })),
    );
    expect(results.filter((result) => result.outcome === 'created')).toHaveLength(1);
    expect(results.map((result) => result.versionId).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: WRITERS }, (_, i) => i + 1),
    );
  });
});
