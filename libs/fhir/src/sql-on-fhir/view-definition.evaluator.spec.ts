import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { sqlOnFhirSuiteFiles } from '@continuum/testing';
import { memoryEngine, runSuiteFile, type SuiteFile } from './suite';

// The official SQL on FHIR v2 suite through the in-memory evaluator: every test of every file must pass.
const files = sqlOnFhirSuiteFiles();

describe.each(files.map((path) => [basename(path), path]))(
  'the SQL on FHIR v2 suite, %s, in memory',
  (_file, name) => {
    const file = JSON.parse(readFileSync(name, 'utf8')) as SuiteFile;

    it.each(file.tests.map((test) => [test.title, test] as const))('%s', async (title) => {
      const results = await runSuiteFile(
        { ...file, tests: file.tests.filter((test) => test.title === title) },
        memoryEngine,
      );
      expect(results.map((result) => result.result)).toEqual([{ passed: true }]);
    });
  },
);
