import type { BenchSuite } from '../suite';
import { apiSuite } from './api.suite';
import { commissioningSuite } from './commissioning.suite';
import { exportSuite } from './export.suite';
import { extractSuite } from './extract.suite';
import { generateSuite } from './generate.suite';
import { identitySuite } from './identity.suite';
import { identityMatchSuite } from './identity-match.suite';
import { indexSuite } from './index.suite';
import { ingestSuite } from './ingest.suite';
import { portalSuite } from './portal.suite';
import { storeSuite } from './store.suite';
import { viewsSuite } from './views.suite';
import { workloadSuite } from './workload.suite';

/** Every suite by name; add a stage's suite here (store, ingest, index, api, export). */
export const suites: Record<string, BenchSuite> = {
  [generateSuite.name]: generateSuite,
  [indexSuite.name]: indexSuite,
  [ingestSuite.name]: ingestSuite,
  [storeSuite.name]: storeSuite,
  [apiSuite.name]: apiSuite,
  [extractSuite.name]: extractSuite,
  [identitySuite.name]: identitySuite,
  [viewsSuite.name]: viewsSuite,
  [identityMatchSuite.name]: identityMatchSuite,
  [portalSuite.name]: portalSuite,
  [exportSuite.name]: exportSuite,
  [workloadSuite.name]: workloadSuite,
  [commissioningSuite.name]: commissioningSuite,
};
