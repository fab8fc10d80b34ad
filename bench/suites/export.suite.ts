import { openExportContext, type ExportContext } from '@continuum/export/testing/export-test-context';
import { join } from 'node:path';
import type { ExportWorker } from '@continuum/export';
import { resourceBatches, writeCommunityFile, writeConcurrently } from '../measure/community-data';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

const BATCH = 500;
const DIRECT_CARE = { scope: 'system/*.rs', purpose_of_use: 'TREAT' };

/**
 * A system-level Bulk Data export through the secured door (scopes, consent, audit per page), run by an export
 * worker in this process (its RSS is the bench process's): resources/s, time to the first file. Reference: a
 * server-side `COPY (SELECT content …) TO STDOUT` of the same stored JSON, the floor for getting it out.
 */
class ExportBench {
  private context!: ExportContext;
  private worker!: ExportWorker;
  private loaded = 0;

  async prepare(ctx: SuiteContext): Promise<void> {
    this.context = await openExportContext({ pageSize: 1000, maxFileBytes: 256 * 1024 * 1024, checkpointEveryMs: 1000 });
    const file = join(ctx.workDir, 'community.ndjson');
    const { lines } = await writeCommunityFile(file, ctx.options.extra['seed'] ?? 'bench-export', ctx.options.resources);
    await writeConcurrently(resourceBatches(file, BATCH), 2, async (batch) => {
      await this.context.store.upsertMany(batch.map((resource) => ({ resource })), { sourceSystem: 'BENCH:export' });
    });
    const [{ count }] = await this.context.sql<{ count: string }[]>`SELECT count(*) FROM resource WHERE NOT deleted`;
    this.loaded = Number(count);
    ctx.log(`loaded ${lines} generated resources (${this.loaded} stored)`);
    this.worker = this.context.newWorker();
    this.worker.start();
  }

  async warmup(): Promise<void> {
    const claims = DIRECT_CARE;
    await this.context.finished(claims, await this.context.kickOff(claims, 'system', [['_type', 'Organization']]));
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
    const files = await this.context.finished(DIRECT_CARE, id, 3_600_000);
    clearInterval(watch);
    const elapsedMs = performance.now() - start;
    const exported = files.manifest.output.reduce((sum, entry) => sum + entry.count, 0);
    ctx.log(
      `kick-off ${kickOffMs.toFixed(1)} ms; first file after ${firstFileMs?.toFixed(0) ?? '?'} ms; ` +
        `${exported} resources in ${files.manifest.output.length} files, ${Math.round(exported / (elapsedMs / 1000))} resources/s`,
    );
    return { label: 'system $export through the secured door (worker in process)', operations: exported, unit: 'resources', elapsedMs };
  }

  async reference(): Promise<RunResult> {
    const start = performance.now();
    let lines = 0;
    const readable = await this.context.sql`COPY (SELECT content FROM resource WHERE NOT deleted) TO STDOUT`.readable();
    for await (const chunk of readable) for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
    return { label: 'COPY (SELECT content) TO STDOUT (reference)', operations: lines, unit: 'resources', elapsedMs: performance.now() - start };
  }

  async teardown(): Promise<void> {
    await this.worker?.stop();
    await this.context?.close();
  }
}

let bench: ExportBench;

export const exportSuite: BenchSuite = {
  name: 'export',
  description: 'FHIR Bulk Data system export through the secured door vs server-side COPY of the stored JSON',
  defaultResources: 20_000,
  async prepare(ctx) {
    bench = new ExportBench();
    await bench.prepare(ctx);
  },
  warmup: () => bench.warmup(),
  measure: (ctx) => bench.measure(ctx),
  reference: () => bench.reference(),
  teardown: () => bench?.teardown(),
};
