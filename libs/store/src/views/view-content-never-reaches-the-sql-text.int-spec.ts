import { planView, ViewDefinitionError } from '@continuum/fhir';
import type { Patient } from 'fhir/r4';
import type postgres from 'postgres';
import { openTestStore, token } from '../testing/test-store';
import { scratchResources, type ScratchResources } from './testing/scratch-view.engine';
import { compileViewToSql } from './view.sql-compiler';
import { runViewSql } from './view-sql.runner';

// Whatever a view holds (quotes, SQL, jsonpath syntax in names, constants and literals), it is bound as a
// parameter or quoted, never spliced: the rows are exactly what the evaluator gives and the table survives.
describe('a ViewDefinition compiled to SQL', () => {
  let sql: postgres.Sql;
  let close: () => Promise<void>;
  let scratch: ScratchResources;
  const hostile = `x'); DROP TABLE view_resource; --`;

  beforeAll(async () => {
    ({ sql, close } = await openTestStore());
    scratch = await scratchResources(sql, `sof_${token()}`);
    const patients: Patient[] = [
      { resourceType: 'Patient', id: 'p1', name: [{ family: hostile, use: 'official' }], gender: 'female' },
      { resourceType: 'Patient', id: 'p2', name: [{ family: 'Plain' }] },
    ];
    await scratch.replace(patients);
  });
  afterAll(async () => {
    await scratch.drop();
    await close();
  });

  const rows = async (view: unknown) => {
    const found = [];
    for await (const page of runViewSql(sql, view, scratch.source)) found.push(...page);
    return found;
  };

  it('binds constants, string literals and paths as parameters, and the rows are the hostile text itself', async () => {
    const view = {
      resource: 'Patient',
      constant: [{ name: 'evil', valueString: hostile }],
      select: [
        {
          column: [
            { name: 'id', path: 'id' },
            { name: 'is_evil', path: 'name.family.first() = %evil' },
            { name: 'literal', path: `'it\\'s' & ' ' & '\\'; SELECT 1; --'` },
            { name: 'odd_key', path: '`a"b$`' },
          ],
        },
      ],
    };
    const compiled = compileViewToSql(planView(view), scratch.source);
    expect(compiled.text).not.toContain('DROP TABLE');
    expect(compiled.text).not.toContain('SELECT 1;');
    expect(await rows(view)).toEqual([
      { id: 'p1', is_evil: true, literal: "it's '; SELECT 1; --", odd_key: null },
      { id: 'p2', is_evil: false, literal: "it's '; SELECT 1; --", odd_key: null },
    ]);
    const [{ count }] = await sql<{ count: string }[]>`
      SELECT count(*) FROM ${sql(scratch.source.schema as string)}.view_resource`;
    expect(Number(count)).toBe(2);
  });

  it('raises the evaluator’s run-time errors as ViewDefinitionErrors naming the path', async () => {
    const view = {
      resource: 'Patient',
      where: [{ path: 'gender' }],
      select: [{ column: [{ name: 'id', path: 'id' }] }],
    };
    const error = await rows(view).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ViewDefinitionError);
    expect((error as ViewDefinitionError).viewPath).toBe('where[0].path');
  });
});
