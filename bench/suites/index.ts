import type { BenchSuite } from '../suite';
import { apiSuite } from './api.suite';
import { exportSuite } from './export.suite';
import { extractSuite } from './extract.suite';
import { generateSuite } from './generate.suite';
import { indexSuite } from './index.suite';
import { ingestSuite } from './ingest.suite';
import { storeSuite } from './store.suite';

/** Every suite by name; add a stage's suite here (store, ingest, index, api, export). */
export const suites: Record<string, BenchSuite> = {
  [generateSuite.name]: generateSuite,
  [indexSuite.name]: indexSuite,
  [ingestSuite.name]: ingestSuite,
  [storeSuite.name]: storeSuite,
  [apiSuite.name]: apiSuite,
  [extractSuite.name]: extractSuite,
  [exportSuite.name]: exportSuite,
};
