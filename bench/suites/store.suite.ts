import type { Resource } from 'fhir/r4';
import type postgres from 'postgres';
import { parseSearchRequest } from '@continuum/fhir';
import { CommunityGenerator } from '@continuum/generator';
import { createFhirStore, createSql, ResourceSearcher, type FhirStore } from '@continuum/store';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import { LatencyRecorder } from '../measure/latency.recorder';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RESOURCES_PER_PATIENT = 825;
const BATCH = 500;
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
  private batches: Resource[][] = [];
  private lines: string[] = [];
  private bytes = 0;

  async prepare(ctx: SuiteContext): Promise<void> {
    const database = await createScratchDatabase(BASE_URL, `continuum_bench_store_${this.suffix}`);
    this.dropDatabase = database.drop;
    this.sql = createSql(database.config);
    this.store = createFhirStore(this.sql, {});
    const generator = new CommunityGenerator({
      seed: ctx.options.extra['seed'] ?? 'bench-store',
      formats: ['ndjson'],
    });
    const resources: Resource[] = [];
    const add = (json: string) => {
      resources.push(JSON.parse(json) as Resource);
      this.lines.push(json);
      this.bytes += Buffer.byteLength(json);
    };
    generator.directory().resources.forEach((r) => add(r.json));
    const patients = Math.max(1, Math.round(ctx.options.resources / RESOURCES_PER_PATIENT));
    for (let i = 0; i < patients; i++) generator.person(i).resources.forEach((r) => add(r.json));
    for (let i = 0; i < resources.length; i += BATCH) this.batches.push(resources.slice(i, i + BATCH));
    ctx.log(
      `generated ${resources.length} resources (${(this.bytes / 1024 / 1024).toFixed(0)} MiB) for ${patients} patients`,
    );
    const [{ pid }] = await this.sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    ctx.memory.watch('postgres backend', pid);
  }

  async warmup(): Promise<void> {
    // The first batch, written twice: the second is an identical replay (no new versions), so nothing is skewed.
    await this.store.upsertMany(
      this.batches[0].map((resource) => ({ resource })),
      { sourceSystem: 'BENCH:warmup' },
    );
  }

  async write(ctx: SuiteContext): Promise<RunResult> {
    const latency = new LatencyRecorder();
    let operations = 0;
    const start = performance.now();
    for (const batch of this.batches) {
      await latency.time(() =>
        this.store.upsertMany(
          batch.map((resource) => ({ resource })),
          { sourceSystem: 'BENCH:store' },
        ),
      );
      operations += batch.length;
    }
    const elapsedMs = performance.now() - start;
    await this.sql`ANALYZE`;
    await this.searches(ctx);
    return {
      label: `store.upsertMany (batches of ${BATCH})`,
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
      for (const line of this.lines) writable.write(`${line.replace(/\\/g, '\\\\')}\n`);
      writable.end();
    });
    const elapsedMs = performance.now() - start;
    return {
      label: 'COPY into a bare jsonb table (reference)',
      operations: this.lines.length,
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
