import { DatabaseConfig, loadConfig } from '@continuum/config';
import { demographicsOf, prepare } from '@continuum/fhir';
import { generateLabelledPopulation, MAX_POPULATION } from '@continuum/generator';
import { createFhirStore, createSql, type FhirStore } from '@continuum/store';
import {
  BlockIndex,
  hashedBlockKeysOf,
  IdentityInitialLoad,
  IdentityLinker,
  IdentityLinks,
  IdentityRebuild,
  openIdentityDataSource,
} from '@continuum/store/identity';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import { PatientMatchService } from '@continuum/security/identity';
import type { Patient } from 'fhir/r4';
import postgres from 'postgres';
import { DataSource } from 'typeorm';
import { type ApiProcess, startApiProcess } from '../measure/api-process';
import { LatencyRecorder, percentile } from '../measure/latency.recorder';
import { copyPatients } from '../measure/patient-copy';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

const LOAD_BATCH = 2_000;
const BASE_URL = 'http://bench.invalid/fhir';

let database: { config: DatabaseConfig; drop: () => Promise<void> } | undefined;
let sql: postgres.Sql | undefined;
let identity: DataSource | undefined;
let service: PatientMatchService | undefined;
let api: ApiProcess | undefined;
const queries: Patient[] = [];
const blocks = new BlockIndex();

const option = (ctx: SuiteContext, name: string, fallback: number) =>
  Number(ctx.options.extra[name] ?? fallback);

/**
 * What a registration desk would type for a sampled record: its demographics without its identifiers (no NHS
 * number, no local number), so `$match` has to find the person on names, birth date, postcode and sex.
 */
function queryOf(patient: Patient): Patient {
  return {
    resourceType: 'Patient',
    name: patient.name,
    gender: patient.gender,
    birthDate: patient.birthDate,
    address: patient.address,
  };
}

/**
 * The population's source Patients, every n-th one also kept as a query (the same ones on every run). One seed
 * holds at most MAX_POPULATION persons (each takes a number of the 999 test range); beyond that, persons of a second
 * seed without identifiers (its NHS numbers and local numbers would repeat the first seed's), found on demographics
 * alone as many social-care and out-of-hours records are.
 */
function* population(ctx: SuiteContext): Generator<Patient> {
  const persons = ctx.options.resources;
  const wanted = option(ctx, 'queries', 500);
  const every = Math.max(1, Math.floor((persons * 2) / wanted));
  const seed = ctx.options.extra.seed ?? 'bench-identity-match';
  const numbered = Math.min(persons, MAX_POPULATION);
  const parts = [
    { seed, persons: numbered, withNhsNumbers: true },
    { seed: `${seed}-beyond-the-test-range`, persons: persons - numbered, withNhsNumbers: false },
  ];
  let index = 0;
  for (const part of parts.filter((each) => each.persons > 0))
    for (const record of generateLabelledPopulation(part)) {
      const patient = part.withNhsNumbers
        ? record.patient
        : // ids and local numbers derive from the source and an index, so the second seed's would repeat the
          // first's: it keeps no identifier, and its ids are marked
          { ...record.patient, id: `b-${record.patient.id}`, identifier: undefined };
      if (index++ % every === 0 && queries.length < wanted) queries.push(queryOf(patient));
      yield patient;
    }
}

/** The labelled population's source Patients through the store's bulk path (or COPY, with `--load copy`). */
async function load(ctx: SuiteContext, store: FhirStore): Promise<void> {
  let batch: Patient[] = [];
  let written = 0;
  const start = Date.now();
  const copy = ctx.options.extra['load'] === 'copy';
  const flush = async () => {
    if (copy) await copyPatients(sql!, batch);
    else await store.upsertMany(batch.map((resource) => ({ resource })));
    written += batch.length;
    batch = [];
    if (written % 20_000 < LOAD_BATCH) ctx.log(`stored ${written} Patients`);
  };
  for (const patient of population(ctx)) {
    batch.push(patient);
    if (batch.length === LOAD_BATCH) await flush();
  }
  if (batch.length) await flush();
  ctx.log(`stored ${written} Patients in ${((Date.now() - start) / 1000).toFixed(0)} s`);
}

/** Links the stored Patients as identity:rebuild does (an empty index: the initial load, then its settling). */
async function link(ctx: SuiteContext): Promise<void> {
  const linkStart = Date.now();
  const links = new IdentityLinks(identity!);
  const linker = new IdentityLinker(identity!, links);
  const report = await new IdentityRebuild(
    identity!,
    linker,
    new IdentityInitialLoad(identity!, links),
  ).rebuild({
    batchSize: 5000,
    concurrency: option(ctx, 'concurrency', 2),
    onProgress: ({ phase, done }) => {
      if (phase !== 're-evaluate' && done % 50_000 < 5000)
        ctx.log(`linked ${done} (${Math.round(done / ((Date.now() - linkStart) / 1000))}/s)`);
    },
  });
  const seconds = (Date.now() - linkStart) / 1000;
  ctx.log(
    `linked ${report.linked} Patients (${report.mode}) in ${seconds.toFixed(0)} s (${Math.round(report.linked / seconds)}/s, ` +
      `${report.reEvaluated} re-evaluated, ${report.stillPossible} awaiting review)`,
  );
}

async function dropDatabase(base: string, name: string): Promise<void> {
  const admin = postgres(new URL('/postgres', base).toString(), { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Whether the named database's table holds a row (a kept database a previous run loaded, or linked). */
async function holds(base: string, name: string, table: 'resource' | 'identity_link'): Promise<boolean> {
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  try {
    const rows = await db`SELECT 1 FROM ${db(table)} LIMIT 1`;
    return rows.length > 0;
  } catch {
    return false;
  } finally {
    await db.end();
  }
}

async function matchOverHttp(patient: Patient): Promise<number> {
  const response = await fetch(`${api!.origin}/fhir/Patient/$match`, {
    method: 'POST',
    headers: { authorization: api!.authorization, 'content-type': 'application/fhir+json' },
    body: JSON.stringify({
      resourceType: 'Parameters',
      parameter: [{ name: 'resource', resource: patient }],
    }),
  });
  const body = (await response.json()) as { entry?: unknown[] };
  if (response.status !== 200) throw new Error(`$match answered ${response.status}: ${JSON.stringify(body)}`);
  return body.entry?.length ?? 0;
}

/**
 * `Patient/$match` latency on a linked population of generated persons (libs/generator's labelled population: about
 * 2.3 source records a person across GP, acute, community, mental-health, out-of-hours and social care, with its
 * corruptions). Measured: the matching service over the plain store (block-key candidates, read, score, rank), p50
 * and p95; logged: the same queries over HTTP through the full API (auth, consent, audit), one at a time. Reference:
 * the candidate look-up in the block-key table alone. `--resources` is the number of persons (default 10,000).
 * Options: --queries (default 500), --concurrency (linking, default 2), --keep true (keep and reuse the database),
 * --load copy (Patients written with COPY straight into the resource table, bench/measure/patient-copy.ts, rather
 * than through the store: minutes instead of an hour for a million persons; $match reads nothing else).
 */
export const identityMatchSuite: BenchSuite = {
  name: 'identity-match',
  description:
    '$match latency p50/p95 on N linked persons (service and HTTP) vs the block-key candidate look-up',
  defaultResources: 10_000,

  async prepare(ctx) {
    const base = loadConfig(DatabaseConfig, process.env).url;
    const name = `continuum_bench_identity_match_${ctx.options.resources}`;
    const admin = postgres(new URL('/postgres', base).toString(), { max: 1, onnotice: () => undefined });
    const [{ exists }] = await admin<{ exists: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${name}) AS exists`;
    await admin.end();
    // a kept database is reused once it holds the Patients (and linked if a run stopped before linking them)
    const reuse = exists && ctx.options.extra.keep === 'true' && (await holds(base, name, 'resource'));
    if (reuse) {
      const url = new URL(base);
      url.pathname = `/${name}`;
      database = {
        config: loadConfig(DatabaseConfig, { DATABASE_URL: url.toString() }),
        drop: () => Promise.resolve(),
      };
    } else {
      if (exists) await dropDatabase(base, name);
      database = await createScratchDatabase(base, name);
    }
    sql = createSql(database.config, { applicationName: 'bench-identity-match' });
    identity = await openIdentityDataSource({ ...database.config, poolSize: 4 });
    const store = createFhirStore(sql);
    if (reuse) {
      ctx.log(`reusing ${name}`);
      for (const _ of population(ctx)); // the same queries as the run that loaded it
    } else await load(ctx, store);
    if (!(await holds(base, name, 'identity_link'))) await link(ctx);
    await sql.begin((tx) => [tx`SET LOCAL statement_timeout = 0`, tx`ANALYZE`]);
    const [{ persons, records }] = await sql<{ persons: string; records: string }[]>`
      SELECT count(DISTINCT person_id) AS persons, count(*) AS records FROM identity_link WHERE state = 'MATCH'`;
    ctx.log(`${records} records linked to ${persons} persons; ${queries.length} queries`);
    service = new PatientMatchService(store, blocks, identity);
    api = await startApiProcess(ctx, database.config.url);
  },

  async warmup() {
    for (const query of queries.slice(0, 50)) {
      await service!.match({ patient: query, onlyCertainMatches: false, count: 10 }, BASE_URL);
      await matchOverHttp(query);
    }
  },

  async measure(ctx): Promise<RunResult> {
    const latency = new LatencyRecorder();
    let found = 0;
    const start = performance.now();
    for (const query of queries) {
      const bundle = await latency.time(() =>
        service!.match({ patient: query, onlyCertainMatches: false, count: 10 }, BASE_URL),
      );
      if (bundle.entry?.length) found++;
    }
    const elapsedMs = performance.now() - start;
    ctx.log(
      `$match service: n=${latency.count} p50 ${latency.at(50).toFixed(2)} ms, p95 ${latency.at(95).toFixed(2)} ms, ` +
        `p99 ${latency.at(99).toFixed(2)} ms; ${found} of ${queries.length} found their person's records`,
    );
    const http: number[] = [];
    for (const query of queries) {
      const began = performance.now();
      await matchOverHttp(query);
      http.push(performance.now() - began);
    }
    http.sort((a, b) => a - b);
    ctx.log(
      `$match over HTTP (full API, one at a time): n=${http.length} p50 ${percentile(http, 50).toFixed(2)} ms, ` +
        `p95 ${percentile(http, 95).toFixed(2)} ms, p99 ${percentile(http, 99).toFixed(2)} ms`,
    );
    return {
      label: '$match (service, plain store)',
      operations: queries.length,
      unit: 'queries',
      elapsedMs,
      latency,
    };
  },

  async reference(): Promise<RunResult> {
    const latency = new LatencyRecorder();
    const start = performance.now();
    for (const query of queries) {
      const keys = hashedBlockKeysOf(prepare(demographicsOf(query)));
      await latency.time(async () =>
        blocks.candidates(identity!, await blocks.uncrowded(identity!, keys), { limit: 200 }),
      );
    }
    return {
      label: 'block-key candidate look-up alone (reference)',
      operations: queries.length,
      unit: 'queries',
      elapsedMs: performance.now() - start,
      latency,
    };
  },

  async teardown(ctx) {
    api?.stop();
    await identity?.destroy();
    await sql?.end({ timeout: 5 });
    if (ctx.options.extra.keep !== 'true') await database?.drop();
  },
};
