import type { FhirResource, Observation } from 'fhir/r4';
import type postgres from 'postgres';
import { SearchIndexWriter } from './search-index.writer';
import { storeResources, suffix, testSql } from './testing/search-fixture';

jest.setTimeout(60_000);

describe('SearchIndexWriter', () => {
  let sql: postgres.Sql;
  beforeAll(() => (sql = testSql()));
  afterAll(() => sql.end());

  const observation = (id: string, code: string, value: number): Observation => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code, display: 'Body Wëight' }] },
    subject: { reference: `Patient/p-${id}` },
    effectivePeriod: { start: '2020-03-01', end: '2020-03-02T10:00:00Z' },
    valueQuantity: { value, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
  });

  const rowsOf = async (key: string) =>
    Object.fromEntries(
      await Promise.all(
        ['string', 'token', 'date', 'quantity', 'reference', 'composite'].map(async (table) => {
          const rows =
            await sql`SELECT * FROM ${sql(`search_${table}`)} WHERE resource_type = 'Observation' AND resource_key = ${key} ORDER BY code, ordinal`;
          return [table, rows];
        }),
      ),
    );

  it('writes the rows of a batch in one statement per table, replaces them on update and removes them on delete', async () => {
    const id = `w-${suffix()}`;
    const [key] = await storeResources(sql, [observation(id, '29463-7', 72.5)]);
    const rows = await rowsOf(key);
    expect(rows.token).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'code', value: '29463-7' })]),
    );
    expect(rows.string).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'code:text', value: 'body weight', exact: 'Body Wëight' }),
      ]),
    );
    expect(rows.date).toEqual([
      expect.objectContaining({
        code: 'date',
        start_at: new Date('2020-03-01T00:00:00Z'),
        end_at: new Date('2020-03-02T10:00:01Z'),
      }),
    ]);
    expect(rows.quantity).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'value-quantity', low: '72.5', unit: 'kg', canonical: false }),
        expect.objectContaining({ code: 'value-quantity', low: '72500', unit: 'g', canonical: true }),
      ]),
    );
    expect(rows.reference).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'subject', target_type: 'Patient', target_id: `p-${id}` }),
      ]),
    );
    expect(rows.composite.length).toBeGreaterThan(0);

    await storeResources(sql, [observation(id, '8302-2', 180)]);
    const updated = await rowsOf(key);
    expect(
      updated.token.filter((row: postgres.Row) => row.code === 'code').map((row: postgres.Row) => row.value),
    ).toEqual(['8302-2']);

    await sql.begin((tx) =>
      new SearchIndexWriter().write(tx, [{ resourceType: 'Observation', resourceKey: key, resource: null }]),
    );
    const deleted = await rowsOf(key);
    expect(Object.values(deleted).flat()).toEqual([]);
  });

  it('writes hundreds of resources of several types in one call', async () => {
    const run = suffix();
    const resources: FhirResource[] = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 0
        ? { resourceType: 'Patient', id: `bp-${run}-${i}`, name: [{ family: `Bulk${i}` }] }
        : observation(`bo-${run}-${i}`, `code-${run}`, i),
    );
    const started = Date.now();
    const keys = await storeResources(sql, resources);
    expect(keys).toHaveLength(300);
    const [{ count }] =
      await sql`SELECT count(*)::int AS count FROM search_token WHERE resource_type = 'Observation' AND code = 'code' AND value = ${`code-${run}`}`;
    expect(count).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
