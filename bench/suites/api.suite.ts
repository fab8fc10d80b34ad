import { join } from 'node:path';
import { DatabaseConfig, loadConfig } from '@continuum/config';
import { createFhirStore, createSql, type FhirStore } from '@continuum/store';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import postgres from 'postgres';
import { type ApiProcess, startApiProcess } from '../measure/api-process';
import { resourceBatches, writeCommunityFile, writeConcurrently } from '../measure/community-data';
import { LatencyRecorder, percentile } from '../measure/latency.recorder';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

/** The slice of autocannon's API we use (it ships no types). */
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
interface AutocannonResult {
  requests: { total: number };
  non2xx: number;
  errors: number;
  duration: number;
}
type Autocannon = (
  options: {
    url: string;
    connections: number;
    duration: number;
    headers: Record<string, string>;
    requests: { setupRequest: (request: { path: string }) => { path: string } }[];
  },
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;
const AUTOCANNON = 'autocannon';

const WRITE_BATCH = 500;
const WRITE_CONCURRENCY = 2;
const SAMPLES = 300;

interface Scenario {
  name: string;
  paths: string[];
}

let database: { config: DatabaseConfig; drop: () => Promise<void> } | undefined;
let sql: postgres.Sql | undefined;
let api: ApiProcess | undefined;
let origin = '';
let authorization = '';
let scenarios: Scenario[] = [];
let readTargets: [string, string][] = [];

const option = (ctx: SuiteContext, name: string, fallback: number) =>
  Number(ctx.options.extra[name] ?? fallback);

/** Generated people (≈825 resources each, after the directory) written through the store's bulk path. */
async function load(ctx: SuiteContext, store: FhirStore, count: number): Promise<number> {
  const file = join(ctx.workDir, 'community.ndjson');
  await writeCommunityFile(file, ctx.options.extra.seed ?? 'bench-api', count);
  let written = 0;
  const start = Date.now();
  await writeConcurrently(resourceBatches(file, WRITE_BATCH), WRITE_CONCURRENCY, async (batch) => {
    await store.upsertMany(batch.map((resource) => ({ resource })));
    written += batch.length;
    if (written % 50_000 < WRITE_BATCH)
      ctx.log(`loaded ${written} resources (${Math.round(written / ((Date.now() - start) / 1000))}/s)`);
  });
  return written;
}

/** Realistic request targets taken from the loaded data: real identifiers, codes, dates and organisations. */
async function pickScenarios(db: postgres.Sql): Promise<Scenario[]> {
  const q = (text: string) => db.unsafe<Record<string, string>[]>(text);
  const reads = await q(`SELECT resource_type, id FROM resource TABLESAMPLE SYSTEM (5)
    WHERE resource_type IN ('Patient','Observation','Encounter','Condition') AND NOT deleted LIMIT ${SAMPLES}`);
  readTargets = reads.map((row) => [row.resource_type, row.id]);
  const patients = await q(`SELECT id, content->'identifier'->0->>'system' AS system,
      content->'identifier'->0->>'value' AS value FROM resource
    WHERE resource_type = 'Patient' AND NOT deleted AND content ? 'identifier' ORDER BY random() LIMIT ${SAMPLES}`);
  const observations = await q(`SELECT content->'subject'->>'reference' AS subject,
      content->'code'->'coding'->0->>'system' AS system, content->'code'->'coding'->0->>'code' AS code,
      left(content->>'effectiveDateTime', 10) AS day FROM resource TABLESAMPLE SYSTEM (10)
    WHERE resource_type = 'Observation' AND NOT deleted AND content ? 'effectiveDateTime' LIMIT ${SAMPLES}`);
  const encounters = await q(`SELECT content->'serviceProvider'->>'reference' AS organisation,
      left(content->'period'->>'start', 7) AS month FROM resource TABLESAMPLE SYSTEM (10)
    WHERE resource_type = 'Encounter' AND NOT deleted AND content ? 'serviceProvider' LIMIT ${SAMPLES}`);
  const year = (day: string, delta: number) => `${Number(day.slice(0, 4)) + delta}${day.slice(4)}`;
  return [
    { name: 'read', paths: readTargets.map(([type, id]) => `/fhir/${type}/${id}`) },
    {
      name: 'Patient?identifier',
      paths: patients.map((p) => `/fhir/Patient?identifier=${encodeURIComponent(`${p.system}|${p.value}`)}`),
    },
    {
      name: 'Observation?patient&code&date',
      paths: observations.map(
        (o) =>
          `/fhir/Observation?patient=${encodeURIComponent(o.subject)}&code=${encodeURIComponent(`${o.system}|${o.code}`)}` +
          `&date=ge${year(o.day, -1)}&date=le${year(o.day, 1)}`,
      ),
    },
    {
      name: 'Encounter?date&service-provider',
      paths: encounters.map(
        (e) => `/fhir/Encounter?service-provider=${encodeURIComponent(e.organisation)}&date=${e.month}`,
      ),
    },
    {
      name: 'Patient/$everything',
      paths: patients.map((p) => `/fhir/Patient/${p.id}/$everything?_count=100`),
    },
  ].filter((scenario) => scenario.paths.length > 0);
}

/** One closed-loop autocannon run over a scenario's paths, recording every response's latency. */
async function hammer(scenario: Scenario, seconds: number, connections: number) {
  const autocannon = ((await import(AUTOCANNON)) as { default: Autocannon }).default;
  const latency = new LatencyRecorder();
  const samples: number[] = [];
  let next = 0;
  const result = await new Promise<AutocannonResult>((done, fail) => {
    const instance = autocannon(
      {
        url: origin,
        connections,
        duration: seconds,
        headers: { accept: 'application/fhir+json', authorization },
        requests: [
          {
            setupRequest: (request) => ({ ...request, path: scenario.paths[next++ % scenario.paths.length] }),
          },
        ],
      },
      (error, value) => (error ? fail(error) : done(value)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => {
      latency.record(ms);
      samples.push(ms);
    });
  });
  return { result, latency, samples };
}

function describeRun(name: string, run: Awaited<ReturnType<typeof hammer>>): string {
  // p95 is asked for and the harness summary has no p95: computed here from the same samples.
  const sorted = [...run.samples].sort((a, b) => a - b);
  const at = (p: number) => percentile(sorted, p).toFixed(1);
  const rate = Math.round(run.result.requests.total / run.result.duration);
  return `${name.padEnd(34)} ${String(rate).padStart(6)} req/s  p50 ${at(50)}  p95 ${at(95)}  p99 ${at(99)} ms  non-2xx ${run.result.non2xx}  errors ${run.result.errors}`;
}

/**
 * FHIR REST API throughput and latency on generated data (read, typical searches, `$everything`) through an API
 * process of its own, loaded by autocannon. Reference: the same reads straight from Postgres by primary key.
 * Options: --seconds (per scenario, default 10), --connections (default 8), --keep true (keep the database and
 * reuse it on the next run of the same size), --api-root <checkout> (run another checkout's API).
 */
export const apiSuite: BenchSuite = {
  name: 'api',
  description: 'FHIR REST reads, searches and $everything (autocannon) vs primary-key reads in SQL',
  defaultResources: 100_000,

  async prepare(ctx) {
    const base = loadConfig(DatabaseConfig, process.env).url;
    const name = `continuum_bench_api_${ctx.options.resources}`;
    const url = new URL(base);
    url.pathname = `/${name}`;
    const admin = postgres(new URL('/postgres', base).toString(), { max: 1, onnotice: () => undefined });
    const [{ exists }] = await admin<{ exists: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${name}) AS exists`;
    await admin.end();
    if (exists && ctx.options.extra.keep === 'true') {
      const config = loadConfig(DatabaseConfig, { DATABASE_URL: url.toString() });
      database = { config, drop: () => Promise.resolve() };
      sql = createSql(config, { applicationName: 'bench-api' });
      ctx.log(`reusing ${name}`);
    } else {
      database = await createScratchDatabase(base, name);
      sql = createSql(database.config, { applicationName: 'bench-api' });
      const loaded = await load(ctx, createFhirStore(sql), ctx.options.resources);
      ctx.log(`loaded ${loaded} resources into ${name}`);
      // statistics for the planner; at a million resources this outlasts the pool's statement timeout
      await sql.begin((tx) => [tx`SET LOCAL statement_timeout = 0`, tx`ANALYZE`]);
    }
    const [{ count }] = await sql<{ count: string }[]>`SELECT count(*) AS count FROM resource`;
    ctx.log(`${count} resources stored`);
    scenarios = await pickScenarios(sql);
    api = await startApiProcess(ctx, database.config.url);
    ({ origin, authorization } = api);
    // A search that finds nothing is cheap: show what each scenario's first target answers.
    for (const scenario of scenarios) {
      const response = await fetch(`${origin}${scenario.paths[0]}`, { headers: { authorization } });
      const body = (await response.json()) as { entry?: unknown[] };
      ctx.log(
        `${scenario.name}: HTTP ${response.status}, ${body.entry?.length ?? 1} entries for ${scenario.paths[0]}`,
      );
    }
  },

  async warmup(ctx) {
    for (const scenario of scenarios) await hammer(scenario, 2, option(ctx, 'connections', 8));
  },

  async measure(ctx): Promise<RunResult> {
    const seconds = option(ctx, 'seconds', 10);
    const connections = option(ctx, 'connections', 8);
    let read: Awaited<ReturnType<typeof hammer>> | undefined;
    for (const scenario of scenarios) {
      const run = await hammer(scenario, seconds, connections);
      ctx.log(describeRun(scenario.name, run));
      if (scenario.name === 'read') read = run;
    }
    if (!read) throw new Error('no read targets in the data');
    return {
      label: 'api read (GET /fhir/[type]/[id])',
      operations: read.result.requests.total,
      unit: 'requests',
      elapsedMs: read.result.duration * 1000,
      latency: read.latency,
    };
  },

  async reference(ctx): Promise<RunResult> {
    const seconds = option(ctx, 'seconds', 10);
    const connections = option(ctx, 'connections', 8);
    const db = sql!;
    const latency = new LatencyRecorder();
    let next = 0;
    let operations = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) {
          const [type, id] = readTargets[next++ % readTargets.length];
          await latency.time(
            () => db`SELECT content FROM resource WHERE resource_type = ${type} AND id = ${id}`,
          );
          operations++;
        }
      }),
    );
    return {
      label: 'SQL primary-key read (reference)',
      operations,
      unit: 'requests',
      elapsedMs: performance.now() - start,
      latency,
    };
  },

  async teardown(ctx) {
    api?.stop();
    await sql?.end({ timeout: 5 });
    if (ctx.options.extra.keep !== 'true') await database?.drop();
  },
};
