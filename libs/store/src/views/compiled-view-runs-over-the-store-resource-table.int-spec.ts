import type { Patient } from 'fhir/r4';
import type postgres from 'postgres';
import type { FhirStore } from '../fhir-store';
import { openTestStore, token } from '../testing/test-store';
import { runViewSql } from './view-sql.runner';

// The compiler's SQL over the store's own `resource` table (partitioned, current versions, deletions kept as rows):
// live resources only, in resource_key order. (The API's $run goes through ResourceStore.runView, which adds the
// secured door's restrictions to the same compilation: docs/sql-on-fhir.md.)
describe('a compiled view over the store', () => {
  let sql: postgres.Sql;
  let store: FhirStore;
  let close: () => Promise<void>;
  const system = `urn:continuum:views-store:${token()}`;

  beforeAll(async () => {
    ({ sql, store, close } = await openTestStore());
  });
  afterAll(() => close());

  it('gives the rows of current, undeleted resources in key order', async () => {
    const ids: string[] = [];
    for (const family of ['First', 'Second', 'Third']) {
      const created = await store.create<Patient>({
        resourceType: 'Patient',
        identifier: [{ system, value: family.toLowerCase() }],
        name: [{ family }],
      });
      ids.push(created.id as string);
    }
    await store.update<Patient>({
      resourceType: 'Patient',
      id: ids[0],
      identifier: [{ system, value: 'first' }],
      name: [{ family: 'Renamed' }],
    });
    await store.delete('Patient', ids[1]);
    const view = {
      resource: 'Patient',
      constant: [{ name: 'system', valueUri: system }],
      where: [{ path: 'identifier.where(system = %system).exists()' }],
      select: [
        {
          column: [
            { name: 'id', path: 'getResourceKey()' },
            { name: 'family', path: 'name.family.first()' },
          ],
        },
      ],
    };
    const rows = [];
    for await (const page of runViewSql(sql, view, { table: 'resource', hasDeletedColumn: true }))
      rows.push(...page);
    expect(rows).toEqual([
      { id: ids[0], family: 'Renamed' },
      { id: ids[2], family: 'Third' },
    ]);
  });
});

// What a commissioning extract asks of ResourceStore.runView: a snapshot (`until`), only the rows whose column
// starts with the month (decided by the statement), and each row's source system.
describe('ResourceStore.runView selecting rows for an extract', () => {
  let store: FhirStore;
  let close: () => Promise<void>;
  const system = `urn:continuum:views-extract:${token()}`;

  beforeAll(async () => {
    ({ store, close } = await openTestStore());
  });
  afterAll(() => close());

  it('keeps the month on the named column, gives each row its source, and nothing updated after until', async () => {
    const born = async (birthDate: string, sourceSystem: string) =>
      (
        await store.create<Patient>(
          { resourceType: 'Patient', identifier: [{ system, value: birthDate }], birthDate },
          { sourceSystem },
        )
      ).id as string;
    const october = await born('1970-10-05', 'RYY:RiO');
    await born('1970-11-05', 'RYY:RiO');
    const gp = await born('1970-10-20', 'Y60001:EMIS-Web');
    const snapshot = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await born('1970-10-25', 'RYY:RiO'); // after the snapshot
    const view = {
      resource: 'Patient',
      constant: [{ name: 'system', valueUri: system }],
      where: [{ path: 'identifier.where(system = %system).exists()' }],
      select: [{ column: [{ name: 'id', path: 'getResourceKey()' }, { name: 'born', path: 'birthDate' }] }],
    };
    const rows: { id: unknown; source: string | null }[] = [];
    for await (const page of store.runView(view, {
      until: snapshot,
      columnStartsWith: { column: 'born', prefix: '1970-10' },
      withSourceSystem: true,
    }))
      page.rows.forEach((row, i) => rows.push({ id: row.id, source: page.sourceSystems?.[i] ?? null }));
    expect(rows).toEqual([
      { id: october, source: 'RYY:RiO' },
      { id: gp, source: 'Y60001:EMIS-Web' },
    ]);
  });
});
