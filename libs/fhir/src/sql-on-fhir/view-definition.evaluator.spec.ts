import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from '@continuum/testing';
import { memoryEngine, runSuiteFile, type SuiteFile } from './suite';

// The official SQL on FHIR v2 suite through the in-memory evaluator: every test of every file must pass.
const dir = fixturePath('sql-on-fhir-v2', 'tests');
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .sort();

describe.each(files)('the official SQL on FHIR v2 suite, %s, in memory', (name) => {
  const file = JSON.parse(readFileSync(join(dir, name), 'utf8')) as SuiteFile;

  it.each(file.tests.map((test) => [test.title, test] as const))('%s', async (title) => {
    const results = await runSuiteFile(
      { ...file, tests: file.tests.filter((test) => test.title === title) },
      memoryEngine,
    );
    expect(results.map((result) => result.result)).toEqual([{ passed: true }]);
  });
});
