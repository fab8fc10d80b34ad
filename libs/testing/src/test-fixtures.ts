import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Test data nobody on this project wrote, kept in the repository under test/fixtures/ so the suite runs in a clone
 * with nothing beside it. Each dataset's SOURCES.md names its upstream, version and licence.
 */
export const FIXTURES_DIR = resolve(__dirname, '../../../test/fixtures');

export type FixtureDataset =
  'fhir-r4-official-examples' | 'synthea-r4-bundles' | 'hl7v2-samples' | 'ukcore-examples' | 'sql-on-fhir-v2';

/**
 * A file or folder of a fixture dataset. Optional: CONTINUUM_TESTDATA_DIR names a larger copy laid out the same
 * way (such as ../shared/testdata); a dataset found there is read from there, any other from test/fixtures/.
 * A CONTINUUM_TESTDATA_DIR that does not exist is an error, never a quiet fallback.
 */
export function fixturePath(dataset: FixtureDataset, ...segments: string[]): string {
  return join(datasetDir(dataset), ...segments);
}

function datasetDir(dataset: FixtureDataset): string {
  const override = process.env.CONTINUUM_TESTDATA_DIR;
  if (override) {
    const root = resolve(override);
    if (!existsSync(root))
      throw new Error(`CONTINUUM_TESTDATA_DIR=${override} does not exist (unset it to use test/fixtures/)`);
    if (existsSync(join(root, dataset))) return join(root, dataset);
  }
  return join(FIXTURES_DIR, dataset);
}

/**
 * The SQL on FHIR v2 test files both view engines run: the official suite's (fixture `sql-on-fhir-v2`) and
 * Continuum's own cases in the same format (test/sql-on-fhir).
 */
export function sqlOnFhirSuiteFiles(): string[] {
  const dirs = [fixturePath('sql-on-fhir-v2', 'tests'), resolve(__dirname, '../../../test/sql-on-fhir')];
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => join(dir, name)),
  );
}
