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
