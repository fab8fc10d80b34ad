import { type ChildProcess, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { openExportContext, type ExportContext } from '@continuum/export/testing/export-test-context';
import { resourceBatches, writeCommunityFile, writeConcurrently } from '../measure/community-data';
import { LatencyRecorder } from '../measure/latency.recorder';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

const BATCH = 500;
const DIRECT_CARE = { scope: 'system/*.rs', purpose_of_use: 'TREAT' };
/** Resources written through the store's bulk path; beyond that, copies are made in SQL (`--load`). */
const DEFAULT_LOAD = 20_000;

/**
 * A system-level Bulk Data export through the secured door (scopes, consent, audit per page), run by the exporter
 * app in a process of its own (its RSS is the worker's): resources/s, kick-off time and time to the first file.
 * Reference: a server-side `COPY (SELECT content …) TO STDOUT` of the same stored JSON, the floor for getting it
 * out. Loading a million resources through the store takes hours on a loaded machine, so `--load` of them are
 * written through it and the rest are SQL copies of those rows with new ids (the export reads only `resource`).
 */
class ExportBench {
  private context!: ExportContext;
  private exporter?: ChildProcess;
  private stored = 0;
  /** Exporter processes (`--exporters`; default the machine's cores, as EXPORTER_WORKERS): slices are read by all. */
  private exporters = availableParallelism();

  async prepare(ctx: SuiteContext): Promise<void> {
    this.context = await openExportContext({ pageSize: 1000, maxFileBytes: 256 * 1024 * 1024 });
    const load = Math.min(ctx.options.resources, Number(ctx.options.extra['load'] ?? DEFAULT_LOAD));
    const file = join(ctx.workDir, 'community.ndjson');
    await writeCommunityFile(file, ctx.options.extra['seed'] ?? 'bench-export', load);
    await writeConcurrently(resourceBatches(file, BATCH), 2, async (batch) => {
      await this.context.store.upsertMany(
        batch.map((resource) => ({ resource })),
        { sourceSystem: 'BENCH:export' },
      );
    });
    const [{ count }] = await this.context.sql<{ count: string }[]>`SELECT count(*) FROM resource`;
    const copies = Math.max(0, Math.ceil(ctx.options.resources / Number(count)) - 1);
    // one statement per copy: all of them at once outlasts the pool's statement timeout at a million
    for (let copy = 1; copy <= copies; copy++)
      await this.context.sql`
        INSERT INTO resource (resource_type, id, resource_key, version_id, last_updated, deleted, source_system,
                              source_updated, compartments, content)
        SELECT resource_type, id || '-c' || ${copy}::int, nextval('resource_key_seq'), version_id, last_updated,
               deleted, 'BENCH:export-copy', source_updated, compartments,
               jsonb_set(content, '{id}', to_jsonb(id || '-c' || ${copy}::int))
        FROM resource
        WHERE source_system = 'BENCH:export'`;
    // as autovacuum leaves a store that has been there a while: hint bits set and the visibility map current.
    // Without it the first reader of freshly written rows (the export) pays for setting every row's hint bits,
    // and the COPY reference after it reads them already set
    const vacuum = await this.context.sql.reserve(); // longer than the pool's statement timeout at a million
    await vacuum`SET statement_timeout = 0`;
    await vacuum`VACUUM (ANALYZE) resource`;
    await vacuum`RESET statement_timeout`;
    vacuum.release();
    const [{ live }] = await this.context.sql<{ live: number }[]>`
      SELECT count(*)::int AS live FROM resource WHERE NOT deleted`;
    this.stored = live;
    ctx.log(`stored ${this.stored} resources (${load} through the store, ${copies} SQL copies of them)`);
    // `--profile <dir>`: the exporter writes a V8 CPU profile there when it stops (open it in Chrome DevTools)
    const profile = ctx.options.extra['profile'];
    this.exporters = Number(ctx.options.extra['exporters'] ?? this.exporters);
    this.exporter = spawn(
      process.execPath,
      [
        ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profile)}`] : []),
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'apps/exporter/src/main.ts',
      ],
      {
        cwd: resolve(__dirname, '../..'),
        env: {
          ...process.env,
          DATABASE_URL: this.context.databaseUrl,
          EXPORT_DIRECTORY: this.context.directory,
          FHIR_BASE_URL: this.context.settings.baseUrl,
          EXPORT_RETRY_AFTER_SECONDS: '2',
          EXPORTER_METRICS_PORT: '0',
          EXPORTER_WORKERS: String(this.exporters),
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (this.exporter.pid) ctx.memory.watch('exporter', this.exporter.pid, { children: true });
  }

  /** Kick-off latency (20 small exports, whatever the store's size), and the exporter started. */
  async warmup(ctx: SuiteContext): Promise<void> {
    const latency = new LatencyRecorder();
    const ids: string[] = [];
    for (let n = 0; n < 20; n++)
      ids.push(
        await latency.time(() => this.context.kickOff(DIRECT_CARE, 'system', [['_type', 'Organization']])),
      );
    ctx.log(
      `kick-off over ${this.stored} resources: p50 ${latency.at(50).toFixed(1)} ms, p95 ${latency.at(95).toFixed(1)} ms`,
    );
    for (const id of ids) await this.context.finished(DIRECT_CARE, id, 120_000);
  }

  async measure(ctx: SuiteContext): Promise<RunResult> {
    const start = performance.now();
    const id = await this.context.kickOff(DIRECT_CARE, 'system');
    const kickOffMs = performance.now() - start;
    let firstFileMs: number | undefined;
    const watch = setInterval(() => {
      void this.context.jobs.files(id).then((files) => {
        if (firstFileMs === undefined && files.length) firstFileMs = performance.now() - start;
      });
    }, 20);
    // the time to the completed manifest: reading the files back is the client's work, not the export's
    const manifest = await this.context.completedManifest(DIRECT_CARE, id, 3_600_000);
    const elapsedMs = performance.now() - start;
    clearInterval(watch);
    const exported = manifest.output.reduce((sum, entry) => sum + entry.count, 0);
    const [{ slices }] = await this.context.sql<{ slices: number }[]>`
      SELECT count(*)::int AS slices FROM export_job WHERE parent_id = ${id}`;
    ctx.log(`read as ${slices || 'one job, not'} slices by ${this.exporters} exporter processes`);
    ctx.log(
      `kick-off ${kickOffMs.toFixed(1)} ms; first file checkpointed after ${firstFileMs?.toFixed(0) ?? '?'} ms; ` +
        `${exported} of ${this.stored} resources in ${manifest.output.length} files, ` +
        `${Math.round(exported / (elapsedMs / 1000))} resources/s`,
    );
    return {
      label: 'system $export through the secured door (exporter app)',
      operations: exported,
      unit: 'resources',
      elapsedMs,
    };
  }

  async reference(): Promise<RunResult> {
    const start = performance.now();
    let lines = 0;
    const readable = await this.context
      .sql`COPY (SELECT content FROM resource WHERE NOT deleted) TO STDOUT`.readable();
    for await (const chunk of readable) for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
    return {
      label: 'COPY (SELECT content) TO STDOUT (reference)',
      operations: lines,
      unit: 'resources',
      elapsedMs: performance.now() - start,
    };
  }

  async teardown(): Promise<void> {
    if (this.exporter && this.exporter.exitCode === null) {
      this.exporter.kill('SIGTERM');
      await new Promise((done) => this.exporter?.once('exit', done));
    }
    await this.context?.close();
  }
}

let bench: ExportBench;

export const exportSuite: BenchSuite = {
  name: 'export',
  description: 'FHIR Bulk Data system export through the secured door vs server-side COPY of the stored JSON',
  defaultResources: 100_000,
  async prepare(ctx) {
    bench = new ExportBench();
    await bench.prepare(ctx);
  },
  warmup: (ctx) => bench.warmup(ctx),
  measure: (ctx) => bench.measure(ctx),
  reference: () => bench.reference(),
  teardown: () => bench?.teardown(),
};
