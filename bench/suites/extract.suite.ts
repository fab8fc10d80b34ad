import type { Resource } from 'fhir/r4';
import { extractIndexRows, type ExtractOptions } from '@continuum/fhir';
import { syntheaBundleFiles, syntheaResources } from '@continuum/fhir/search/testing/test-data';
import { communityLines } from '../measure/community-data';
import { LatencyRecorder } from '../measure/latency.recorder';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

const BASE_URL = 'https://fhir.example.nhs.uk/R4';

let resources: Resource[] = [];
let source = 'community';
let passes = 3;

/** `--source community` (default): the generator's community; `--source synthea`: the Synthea bundles, cycled. */
function load(ctx: SuiteContext): Resource[] {
  source = ctx.options.extra['source'] ?? 'community';
  if (source === 'community')
    return [...communityLines(ctx.options.extra['seed'] ?? 'bench-extract', ctx.options.resources)].map(
      (line) => JSON.parse(line) as Resource,
    );
  if (source !== 'synthea') throw new Error(`--source must be community or synthea, not ${source}`);
  const bundle = syntheaBundleFiles().flatMap((file) => syntheaResources(file));
  return Array.from({ length: Math.ceil(ctx.options.resources / bundle.length) }, () => bundle).flat();
}

/**
 * Extracts every resource's index rows, `--passes` times (default 3), timing each extraction; logs wall and CPU
 * time per resource and the rows of one pass.
 */
function run(ctx: SuiteContext, label: string, options: ExtractOptions): RunResult {
  const latency = new LatencyRecorder();
  const cpu = process.cpuUsage();
  const start = performance.now();
  let rows = 0;
  for (let pass = 0; pass < passes; pass++)
    for (const resource of resources) {
      const before = performance.now();
      const extracted = extractIndexRows(resource, options);
      latency.record(performance.now() - before);
      if (pass === 0) for (const list of Object.values(extracted)) rows += list.length;
    }
  const elapsedMs = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  const operations = resources.length * passes;
  const perResource = (us: number) => (us / operations).toFixed(1);
  ctx.log(
    `${label}: ${perResource(elapsedMs * 1000)} µs/resource wall, ${perResource(user + system)} µs/resource CPU, ` +
      `${Math.round(operations / (elapsedMs / 1000))} resources/s, ${rows} rows a pass`,
  );
  return { label, operations, unit: 'resources', elapsedMs, latency };
}

/**
 * Search-index extraction per resource (`extractIndexRows`, pure CPU): the compiled accessors, with FHIRPath only
 * where they cannot answer. Reference: FHIRPath evaluation of every parameter (`compiled: false`, the extraction
 * before compilation) on the same resources, so the ratio is the speed-up. Wall time is what the table shows;
 * on a shared machine the CPU time logged beside it is the steadier figure.
 */
export const extractSuite: BenchSuite = {
  name: 'extract',
  description:
    'search-index extraction per resource, compiled accessors vs FHIRPath evaluation of every parameter (the reference)',
  defaultResources: 20_000,

  async prepare(ctx) {
    resources = load(ctx);
    passes = Number(ctx.options.extra['passes'] ?? 3);
    if (!Number.isInteger(passes) || passes < 1) throw new Error('--passes must be a positive whole number');
    const types = new Set(resources.map((resource) => resource.resourceType));
    ctx.log(`${resources.length} resources (${source}) of ${types.size} types, ${passes} passes`);
  },

  async warmup() {
    for (const resource of resources.slice(0, 2_000)) {
      extractIndexRows(resource, { baseUrl: BASE_URL });
      extractIndexRows(resource, { baseUrl: BASE_URL, compiled: false });
    }
  },

  async measure(ctx) {
    return run(ctx, `extract compiled (${source})`, { baseUrl: BASE_URL });
  },

  async reference(ctx) {
    return run(ctx, `extract FHIRPath (${source}, reference)`, { baseUrl: BASE_URL, compiled: false });
  },

  async teardown() {
    resources = [];
  },
};
