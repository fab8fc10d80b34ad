import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import {
  openExportContext,
  type ExportContext,
  seedCopies,
} from '@continuum/export/testing/export-test-context';
import { waitFor } from '@continuum/testing';

const TREAT = { scope: 'system/*.rs', purpose_of_use: 'TREAT' };
const RETRY_AFTER_SECONDS = 2;

/** The exporter app (`apps/exporter/src/main.ts`) on the context's database, ready once its workers listen. */
function startExporter(context: ExportContext, env: Record<string, string>, exporters: ChildProcess[]) {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/exporter/src/main.ts'],
    {
      cwd: resolve(__dirname, '../..'),
      env: {
        ...process.env,
        DATABASE_URL: context.databaseUrl,
        EXPORT_DIRECTORY: context.directory,
        FHIR_BASE_URL: context.settings.baseUrl,
        EXPORT_RETRY_AFTER_SECONDS: String(RETRY_AFTER_SECONDS),
        EXPORT_PAGE_SIZE: '10',
        // a checkpoint every few pages, so a fast machine cannot finish the job before the test sees one
        EXPORT_CHECKPOINT_EVERY_MS: '50',
        EXPORTER_METRICS_PORT: '0',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  exporters.push(child);
  const workers = Number(env.EXPORTER_WORKERS ?? 1);
  return new Promise<ChildProcess>((ready, fail) => {
    let listening = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      listening += chunk.toString().split('metrics and health listening').length - 1;
      if (listening >= workers) ready(child);
    });
    child.once('exit', (code) => fail(new Error(`exporter exited with ${code}`)));
  });
}

/**
 * 50 Patients with an Observation each and 200 SQL copies: enough rows that the job is still running a few
 * checkpoints in (3,100 rows finished within the first second once pages stopped writing an audit event each).
 */
const seed = (context: ExportContext) => seedCopies(context, { patients: 50, copies: 200 });

/**
 * For a describe block: a seeded export context and an exporter app per `env`, started before its tests and killed
 * (SIGKILL: the primary's workers exit when it vanishes) after them. Answers the exporters' processes.
 */
function withSeededExporters(
  envs: Record<string, string>[],
  ready: (context: ExportContext, expected: string[]) => void,
): ChildProcess[] {
  const exporters: ChildProcess[] = [];
  let context: ExportContext | undefined;
  beforeAll(async () => {
    context = await openExportContext();
    ready(context, await seed(context));
    await Promise.all(envs.map((env) => startExporter(context as ExportContext, env, exporters)));
  }, 240_000);
  afterAll(async () => {
    for (const child of exporters)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await context?.close();
  });
  return exporters;
}

/**
 * After a worker was killed holding `lostId` (the export, or one of its slices): another worker takes it within twice
 * Retry-After (its lease), on its second attempt, and the export holds every resource exactly once.
 */
async function expectTakenOverAndEveryResourceOnce(
  context: ExportContext,
  lost: { exportId: string; lostId: string; lostWorker: string | null | undefined },
  expected: string[],
): Promise<void> {
  const killedAt = Date.now();
  const takenOver = await waitFor(
    () => context.jobs.find(lost.lostId),
    (job) => job?.status === 'completed' || (Boolean(job?.workerId) && job?.workerId !== lost.lostWorker),
    { timeoutMs: 30_000, intervalMs: 20, what: 'another worker to take the job over' },
  );
  expect(Date.now() - killedAt).toBeLessThan(2 * RETRY_AFTER_SECONDS * 1000);
  expect(takenOver?.attempts).toBe(2);
  const files = await context.finished(TREAT, lost.exportId, 120_000);
  const exported = [...files.output.values()]
    .flat()
    .map((resource) => `${resource.resourceType}/${resource.id}`);
  expect(exported.length).toBe(expected.length);
  expect(new Set(exported)).toEqual(new Set(expected));
}

/** The pid in a worker id (`exporter-<pid>-<uuid>`). */
const pidOf = (workerId: string | null | undefined) => Number(/^exporter-(\d+)-/.exec(workerId ?? '')?.[1]);

describe('an export whose worker process is killed is resumed by another', () => {
  let context: ExportContext;
  let expected: string[];
  // one process each (no supervisor), so the process spawned is the one that runs the job; never sliced
  const single = { EXPORTER_WORKERS: '1', EXPORT_WORKER_CONCURRENCY: '1', EXPORT_MAX_SLICES: '1' };
  const exporters = withSeededExporters([single, single], (opened, seeded) => {
    context = opened;
    expected = seeded;
  });

  it('takes the job over within twice Retry-After and exports each resource once', async () => {
    const id = await context.kickOff(TREAT, 'system');
    const running = await waitFor(
      () => context.jobs.find(id),
      (job) => Boolean(job?.workerId && job.resumeAfter),
      { timeoutMs: 60_000, intervalMs: 20, what: 'a worker to checkpoint the job' },
    );
    const victim = exporters.find((child) => child.pid === pidOf(running?.workerId));
    expect(victim).toBeDefined();
    victim?.kill('SIGKILL');
    await expectTakenOverAndEveryResourceOnce(
      context,
      { exportId: id, lostId: id, lostWorker: running?.workerId },
      expected,
    );
  }, 240_000);
});

/**
 * One exporter app of two worker processes (Node cluster) reads a large export as slices, both processes at once;
 * one worker process is killed with SIGKILL mid-slice. Its slice is taken over within twice Retry-After and resumed
 * from its checkpoint, and the export holds every resource exactly once.
 */
describe('a sliced export read by a clustered exporter survives a killed worker process', () => {
  let context: ExportContext;
  let expected: string[];
  const exporters = withSeededExporters(
    [{ EXPORTER_WORKERS: '2', EXPORT_SLICE_ROWS: '2000', EXPORT_MAX_SLICES: '4' }],
    (opened, seeded) => {
      context = opened;
      expected = seeded;
    },
  );

  it('reads the slices in both processes, takes a killed one’s slice over and exports each resource once', async () => {
    const id = await context.kickOff(TREAT, 'system');
    // both worker processes hold a slice, and one of them has checkpointed
    const held = await waitFor(
      () =>
        context.sql<{ id: string; workerId: string; resumeAfter: string | null }[]>`
          SELECT id, worker_id AS "workerId", resume_after AS "resumeAfter" FROM export_job
          WHERE parent_id = ${id} AND worker_id IS NOT NULL`,
      (rows) =>
        new Set(rows.map((row) => pidOf(row.workerId))).size === 2 && rows.some((row) => row.resumeAfter),
      { timeoutMs: 60_000, intervalMs: 10, what: 'two worker processes to run slices' },
    );
    const running = held.find((row) => row.resumeAfter) as (typeof held)[number];
    const primary = exporters[0].pid;
    expect(pidOf(running.workerId)).not.toBe(primary); // the primary only supervises
    process.kill(pidOf(running.workerId), 'SIGKILL');
    await expectTakenOverAndEveryResourceOnce(
      context,
      { exportId: id, lostId: running.id, lostWorker: running.workerId },
      expected,
    );
    const [{ slices }] = await context.sql<{ slices: number }[]>`
      SELECT count(*)::int AS slices FROM export_job WHERE parent_id = ${id}`;
    expect(slices).toBe(4);
  }, 240_000);
});
