import type postgres from 'postgres';
import { parseSearchRequest } from '@continuum/fhir';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createFhirStore, createSql, ResourceSearcher, type FhirStore } from '@continuum/store';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import { resourceBatches, writeCommunityFile, writeConcurrently } from '../measure/community-data';
import { LatencyRecorder } from '../measure/latency.recorder';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BATCH = 500;
/** Batches in flight, as ingestion's partitions write concurrently (`--concurrency`). */
const DEFAULT_CONCURRENCY = 2;
const SEARCH_REPEATS = 200;

/**
 * The store's bulk write path (what ingestion uses: validation, versioning, compartments, outbox, search index
 * rows) over the generator's NDJSON view of a community, then typical searches on what was loaded. Reference: a
 * raw `COPY` of the same JSON lines into a bare jsonb table — the floor for getting these bytes into Postgres.
 */
class StoreBench {
  private readonly suffix = Date.now().toString(36);
  private sql!: postgres.Sql;
  private store!: FhirStore;
  private dropDatabase?: () => Promise<void>;
  private file = '';
  private lines = 0;
  private bytes = 0;
  private concurrency = DEFAULT_CONCURRENCY;

  async prepare(ctx: SuiteContext): Promise<void> {
    const database = await createScratchDatabase(BASE_URL, `continuum_bench_store_${this.suffix}`);
    this.dropDatabase = database.drop;
    this.sql = createSql(database.config);
    this.store = createFhirStore(this.sql, {});
    this.concurrency = Number(ctx.options.extra['concurrency'] ?? DEFAULT_CONCURRENCY);
    // on disk, not in memory: a million resources are gigabytes of objects; reading them back is part of the work
    this.file = join(ctx.workDir, 'community.ndjson');
    const seed = ctx.options.extra['seed'] ?? 'bench-store';
    ({ lines: this.lines, bytes: this.bytes } = await writeCommunityFile(
      this.file,
      seed,
      ctx.options.resources,
    ));
    ctx.log(
      `generated ${this.lines} resources (${(this.bytes / 1024 / 1024).toFixed(0)} MiB) in ${this.file}`,
    );
    const [{ pid }] = await this.sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    ctx.memory.watch('postgres backend', pid);
  }

  async warmup(): Promise<void> {
    // The first batch; the measured run replays it identically (no new versions), so nothing is skewed.
    for await (const batch of resourceBatches(this.file, BATCH)) {
      await this.store.upsertMany(
        batch.map((resource) => ({ resource })),
        { sourceSystem: 'BENCH:warmup' },
      );
      return;
    }
  }

  async write(ctx: SuiteContext): Promise<RunResult> {
    const latency = new LatencyRecorder();
    let operations = 0;
    const start = performance.now();
    await writeConcurrently(resourceBatches(this.file, BATCH), this.concurrency, async (batch) => {
      await latency.time(() =>
        this.store.upsertMany(
          batch.map((resource) => ({ resource })),
          { sourceSystem: 'BENCH:store' },
        ),
      );
      operations += batch.length;
      if (operations % 50_000 < BATCH)
        ctx.log(`wrote ${operations} (${Math.round(operations / ((performance.now() - start) / 1000))}/s)`);
    });
    const elapsedMs = performance.now() - start;
    await this.sql`ANALYZE`;
    await this.searches(ctx);
    return {
      label: `store.upsertMany (batches of ${BATCH}, ${this.concurrency} in flight)`,
      operations,
      unit: 'resources',
      elapsedMs,
      bytes: this.bytes,
      latency,
    };
  }

  /** Typical queries, each repeated with different patients; p50/p95 go to the log (the table holds the writes). */
  private async searches(ctx: SuiteContext): Promise<void> {
    const searcher = new ResourceSearcher(this.sql);
    const patients = await this.sql<{ id: string; nhs: string | null }[]>`
      SELECT id, content #>> '{identifier,0,value}' AS nhs FROM resource WHERE resource_type = 'Patient' LIMIT ${SEARCH_REPEATS}`;
    const queries: Record<
      string,
      (p: { id: string; nhs: string | null }) => [string, Record<string, string>]
    > = {
      'Patient by identifier': (p) => ['Patient', { identifier: p.nhs ?? 'none' }],
      'Observations of a patient by code and date range': (p) => [
        'Observation',
        {
          subject: `Patient/${p.id}`,
          code: 'http://loinc.org|8867-4,http://loinc.org|29463-7',
          date: 'ge2020-01-01',
          _count: '50',
        },
      ],
      'Encounters by date': () => ['Encounter', { date: 'ge2025-06-01', _count: '50' }],
      'Patient compartment (everything, first page)': (p) => [
        'Observation',
        { patient: p.id, _count: '100' },
      ],
    };
    for (const [name, build] of Object.entries(queries)) {
      const latency = new LatencyRecorder();
      for (const patient of patients) {
        const [type, params] = build(patient);
        await latency.time(() => searcher.search(parseSearchRequest(type, params)));
      }
      const s = latency.summary();
      ctx.log(
        `search ${name}: n=${s.count} p50 ${s.p50.toFixed(2)} ms, p95 ${latency.at(95).toFixed(2)} ms, max ${s.max.toFixed(2)} ms`,
      );
    }
  }

  async copy(): Promise<RunResult> {
    await this.sql`CREATE TABLE bench_raw (content jsonb NOT NULL)`;
    const start = performance.now();
    const writable = await this.sql`COPY bench_raw (content) FROM STDIN`.writable();
    await new Promise<void>((resolve, reject) => {
      writable.on('error', reject);
      writable.on('finish', () => resolve());
      void (async () => {
        // COPY text format: backslash is the escape character
        for await (const line of createInterface({
          input: createReadStream(this.file),
          crlfDelay: Infinity,
        })) {
          if (line && !writable.write(`${line.replace(/\\/g, '\\\\')}\n`)) await once(writable, 'drain');
        }
        writable.end();
      })().catch(reject);
    });
    const elapsedMs = performance.now() - start;
    return {
      label: 'COPY into a bare jsonb table (reference)',
      operations: this.lines,
      unit: 'resources',
      elapsedMs,
      bytes: this.bytes,
    };
  }

  async teardown(): Promise<void> {
    await this.sql?.end();
    await this.dropDatabase?.();
  }
}

let bench: StoreBench;

export const storeSuite: BenchSuite = {
  name: 'store',
  description:
    'bulk FHIR writes to Postgres (validated, versioned, indexed) and typical searches, vs raw COPY of the same JSON',
  defaultResources: 100_000,
  async prepare(ctx) {
    bench = new StoreBench();
    await bench.prepare(ctx);
  },
  warmup: () => bench.warmup(),
  measure: (ctx) => bench.write(ctx),
  reference: () => bench.copy(),
  teardown: () => bench?.teardown(),
};
