import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { openExportContext, type ExportContext } from '@continuum/export/testing/export-test-context';
import { waitFor } from '@continuum/testing';
import type { Observation, Patient } from 'fhir/r4';

const TREAT = { scope: 'system/*.rs', purpose_of_use: 'TREAT' };
const RETRY_AFTER_SECONDS = 2;

/**
 * Two exporter app processes share the jobs of one database; the one running an export is killed with SIGKILL
 * mid-job. The other takes the job over within twice Retry-After (its lease), resumes it from the last checkpoint,
 * and the export holds every resource exactly once.
 */
describe('an export whose worker process is killed is resumed by another', () => {
  let context: ExportContext;
  const exporters: ChildProcess[] = [];

  const startExporter = () => {
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
          EXPORT_WORKER_CONCURRENCY: '1',
          EXPORTER_WORKERS: '1', // the process spawned is the one that runs the job (no supervisor)
          EXPORTER_METRICS_PORT: '0',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    exporters.push(child);
    return new Promise<ChildProcess>((ready, fail) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('metrics and health listening')) ready(child);
      });
      child.once('exit', (code) => fail(new Error(`exporter exited with ${code}`)));
    });
  };

  beforeAll(async () => {
    context = await openExportContext();
    for (let n = 0; n < 50; n++) {
      const patient = (await context.store.create({ resourceType: 'Patient', name: [{ family: `K${n}` }] } as Patient))
        .id as string;
      await context.store.create({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'killed-worker' },
        subject: { reference: `Patient/${patient}` },
      } as Observation);
    }
    // many more rows, cheaply: copies of those in SQL (the export reads only the resource table); enough that the
    // job is still running a few checkpoints in (3,100 rows finished within the first second once pages stopped
    // writing an audit event each)
    await context.sql`
      INSERT INTO resource (resource_type, id, resource_key, version_id, last_updated, deleted, source_system,
                            source_updated, compartments, content)
      SELECT resource_type, id || '-c' || g, nextval('resource_key_seq'), version_id, last_updated, deleted,
             source_system, source_updated, compartments, jsonb_set(content, '{id}', to_jsonb(id || '-c' || g))
      FROM resource, generate_series(1, 200) AS g`;
    await Promise.all([startExporter(), startExporter()]);
  }, 240_000);
  afterAll(async () => {
    for (const child of exporters) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await context?.close();
  });

  it('takes the job over within twice Retry-After and exports each resource once', async () => {
    const expected: string[] = [];
    for await (const page of context.store.scan({})) expected.push(...page.map((row) => `${row.resourceType}/${row.id}`));
    const id = await context.kickOff(TREAT, 'system');
    const running = await waitFor(
      () => context.jobs.find(id),
      (job) => Boolean(job?.workerId && job.resumeAfter),
      { timeoutMs: 60_000, intervalMs: 20, what: 'a worker to checkpoint the job' },
    );
    const pid = Number(/^exporter-(\d+)-/.exec(running?.workerId ?? '')?.[1]);
    const victim = exporters.find((child) => child.pid === pid);
    expect(victim).toBeDefined();
    victim?.kill('SIGKILL');
    const killedAt = Date.now();

    const takenOver = await waitFor(
      () => context.jobs.find(id),
      (job) => job?.status === 'completed' || (Boolean(job?.workerId) && job?.workerId !== running?.workerId),
      { timeoutMs: 30_000, intervalMs: 20, what: 'another worker to take the job' },
    );
    expect(Date.now() - killedAt).toBeLessThan(2 * RETRY_AFTER_SECONDS * 1000);
    expect(takenOver?.attempts).toBe(2);

    const files = await context.finished(TREAT, id, 120_000);
    const exported = [...files.output.values()].flat().map((resource) => `${resource.resourceType}/${resource.id}`);
    expect(exported.length).toBe(expected.length);
    expect(new Set(exported)).toEqual(new Set(expected));
  }, 240_000);
});
