import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { openExtractContext } from '@continuum/commissioning/testing/extract-test-context';
import { checkExtractRequest, PACK_NAMES, PACK_VIEWS } from '@continuum/governance';
import { runViewSql } from '@continuum/store';
import { resourceBatches, writeCommunityFile, writeConcurrently } from '../measure/community-data';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

const BATCH = 500;
/** The generator's history ends on its default "today", 2026-01-01: its last full month. */
const DEFAULT_PERIOD = '2025-12';

let context: Awaited<ReturnType<typeof openExtractContext>> | undefined;
let stored = 0;
/** Derived from the seed, so the same seed gives the same files (their SHA-256 are logged, to compare two runs). */
const keyRingFor = (seed: string) => ({
  keys: [
    {
      keyId: 'bench-key-1',
      recipient: 'bench-icb',
      project: 'bench',
      secret: createHash('sha256').update(`bench-key:${seed}`).digest('base64'),
    },
  ],
});

/**
 * Governed commissioning extracts (docs/commissioning.md): every pack for one month (`--period`, default 2025-12),
 * pseudonymised, over a generated community stored in a scratch database, read through the secured door with the
 * person and procedure joins, opt-outs, pseudonyms, generalisation, CSV files and manifests. Reported: released
 * rows/s over the whole run, and view rows read through the door/s and each file's SHA-256 in the log. Reference: the same packs' views compiled to SQL over
 * the store's resource table without the door or governance (the floor for getting the rows out).
 */
export const commissioningSuite: BenchSuite = {
  name: 'commissioning',
  description:
    "Governed commissioning extracts: a month's packs, rows/s (reference: the packs' views as compiled SQL)",
  defaultResources: 20_000,

  async prepare(ctx: SuiteContext) {
    context = await openExtractContext();
    const file = join(ctx.workDir, 'community.ndjson');
    await writeCommunityFile(file, ctx.options.extra['seed'] ?? 'bench-commissioning', ctx.options.resources);
    await writeConcurrently(resourceBatches(file, BATCH), 2, async (batch) => {
      await context!.store.upsertMany(
        batch.map((resource) => ({ resource })),
        { sourceSystem: 'BENCH:community' },
      );
    });
    await context.sql`ANALYZE resource`;
    const [{ live }] = await context.sql<
      { live: number }[]
    >`SELECT count(*)::int AS live FROM resource WHERE NOT deleted`;
    stored = live;
    ctx.log(`stored ${stored} resources`);
  },

  async warmup() {},

  async measure(ctx: SuiteContext): Promise<RunResult> {
    const period = ctx.options.extra['period'] ?? DEFAULT_PERIOD;
    const request = checkExtractRequest({
      requester: 'bench',
      recipient: 'bench-icb',
      project: 'bench',
      purpose: 'HOPERAT',
      legalBasis: 'benchmark',
      dataSharingAgreement: 'BENCH-DSA',
      identifiability: 'pseudonymised',
    });
    const keyRing = keyRingFor(ctx.options.extra['seed'] ?? 'bench-commissioning');
    let rows = 0;
    let read = 0;
    const started = performance.now();
    for (const pack of PACK_NAMES) {
      const before = performance.now();
      // view rows read through the door, per stage (each stage reports its running total)
      const stages = new Map<string, number>();
      const { manifest } = await context!.asExtractor(() =>
        context!.extracts.run(
          { pack, period, request, keyRing, outDirectory: join(ctx.workDir, 'out', pack) },
          (step) =>
            ['activity', 'patients', 'procedures'].includes(step.stage) &&
            step.rows !== undefined &&
            stages.set(step.stage, step.rows),
        ),
      );
      const released = manifest.files.reduce((sum, file) => sum + file.rows, 0);
      const packRead = [...stages.values()].reduce((sum, count) => sum + count, 0);
      rows += released;
      read += packRead;
      ctx.log(
        `${pack} ${period}: ${released} rows, ${packRead} view rows read, in ${(performance.now() - before).toFixed(0)} ms; ` +
          manifest.files.map((file) => `${file.name} sha256=${file.sha256}`).join(' '),
      );
    }
    const elapsedMs = performance.now() - started;
    ctx.log(
      `${PACK_NAMES.length} packs over ${stored} stored resources in ${(elapsedMs / 1000).toFixed(1)} s: ` +
        `${Math.round(rows / (elapsedMs / 1000))} released rows/s, ${Math.round(read / (elapsedMs / 1000))} view rows read/s through the door`,
    );
    return { label: `7 packs, ${period}, pseudonymised`, operations: rows, unit: 'rows', elapsedMs };
  },

  async reference(ctx: SuiteContext): Promise<RunResult> {
    let rows = 0;
    const started = performance.now();
    for (const pack of PACK_NAMES)
      for await (const page of runViewSql(
        context!.sql,
        PACK_VIEWS[pack],
        { table: 'resource', hasDeletedColumn: true },
        2000,
      ))
        rows += page.length;
    ctx.log(`compiled SQL: ${rows} rows of every month`);
    return {
      label: 'compiled SQL, every month, no door',
      operations: rows,
      unit: 'rows',
      elapsedMs: performance.now() - started,
    };
  },

  async teardown() {
    await context?.close();
  },
};
