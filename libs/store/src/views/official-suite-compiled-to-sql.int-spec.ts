import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { memoryEngine, runSuiteFile, type SuiteFile, type ViewEngine } from '@continuum/fhir';
import { sqlOnFhirSuiteFiles } from '@continuum/testing';
import type postgres from 'postgres';
import { openTestStore, token } from '../testing/test-store';
import { scratchViewEngine } from './testing/scratch-view.engine';

// The official SQL on FHIR v2 suite through the compiled SQL, over a scratch table in the test database: every
// test passes, and the rows equal the in-memory evaluator's (same rows, same order).
const files = sqlOnFhirSuiteFiles();

describe('the official SQL on FHIR v2 suite compiled to Postgres SQL', () => {
  let sql: postgres.Sql;
  let close: () => Promise<void>;
  let engine: ViewEngine;
  let dropScratch: () => Promise<void>;

  beforeAll(async () => {
    ({ sql, close } = await openTestStore());
    ({ engine, close: dropScratch } = await scratchViewEngine(sql, `sof_${token()}`));
  });
  afterAll(async () => {
    await dropScratch();
    await close();
  });

  describe.each(files.map((path) => [basename(path), path]))('%s', (_file, name) => {
    const file = JSON.parse(readFileSync(name, 'utf8')) as SuiteFile;

    it.each(file.tests.map((test) => [test.title] as const))(
      '%s passes with the rows of the evaluator',
      async (title) => {
        const one = { ...file, tests: file.tests.filter((test) => test.title === title) };
        const [result] = await runSuiteFile(one, engine);
        expect(result.result).toEqual({ passed: true });
        const test = one.tests[0];
        if (!test.expectError) {
          const fromSql = await engine(test.view, one);
          const inMemory = await memoryEngine(test.view, one);
          expect(fromSql).toEqual(inMemory);
        }
      },
    );
  });
});
