import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@continuum/testing';
import type { Patient } from 'fhir/r4';
import type { ExportWorker } from './export.worker';
import { type ExportContext, openExportContext, seedCopies } from './testing/export-test-context';

const TREAT = { scope: 'system/*.rs', purpose_of_use: 'TREAT' };
const SLICE_ROWS = 150;
const MAX_SLICES = 4;
const WIDE_NAME = 'Llŷr-Ó Séaghdha 山田 \u{1F3E5}';

/**
 * Slices (docs/bulk-export.md): an export estimated at more than EXPORT_SLICE_ROWS rows is cut into key ranges of
 * about equal rows, each a job of its own that any worker claims, one at a time per worker; the export completes
 * with its last slice, fails with any of them, and takes them with it when cancelled.
 */
describe('a large export is read as slices that workers share', () => {
  let context: ExportContext;
  let workers: ExportWorker[] = [];
  let stored: string[];

  beforeAll(async () => {
    context = await openExportContext({ pageSize: 20, sliceRows: SLICE_ROWS, maxSlices: MAX_SLICES });
    // stored JSON is written as its bytes, never decoded: a name beyond ASCII must come out as it went in
    stored = await seedCopies(context, {
      patients: 20,
      copies: 29,
      family: (n) => (n === 0 ? WIDE_NAME : `S${n}`),
    });
  }, 120_000);
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    workers = [];
  });
  afterAll(async () => {
    await context?.close();
  });

  const slicesOf = (id: string) =>
    context.sql<
      { id: string; slice: number; keyFrom: string | null; keyTo: string | null; exported: number }[]
    >`
      SELECT id, slice, key_from AS "keyFrom", key_to AS "keyTo", exported::int AS exported
      FROM export_job WHERE parent_id = ${id} ORDER BY slice`;

  it('cuts the export into key ranges of about equal rows that two workers run at once; its manifest is every slice’s files', async () => {
    workers = [context.newWorker({ concurrency: 2 }), context.newWorker({ concurrency: 2 })];
    workers.forEach((worker) => worker.start());
    // lenient: the unknown parameter is reported in the error file, once, not once per slice
    const id = await context.kickOff(TREAT, 'system', [['_bogus', '1']], { lenient: true });

    // while it runs: which workers hold which slices (never two of one export at once by one worker)
    const holders = new Set<string>();
    let doubled = false;
    let running = true;
    const watching = (async () => {
      while (running) {
        const held = await context.sql<{ workerId: string; slices: number }[]>`
          SELECT worker_id AS "workerId", count(*)::int AS slices FROM export_job
          WHERE parent_id = ${id} AND worker_id IS NOT NULL GROUP BY worker_id`;
        held.forEach((row) => holders.add(row.workerId));
        doubled ||= held.some((row) => row.slices > 1);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const files = await context.finished(TREAT, id);
    running = false;
    await watching;

    const exported = [...files.output.values()]
      .flat()
      .map((resource) => `${resource.resourceType}/${resource.id}`);
    expect(exported.length).toBe(stored.length); // each resource once
    expect(new Set(exported)).toEqual(new Set(stored));
    expect(files.errors).toEqual([expect.stringContaining('_bogus')]);
    const wide = (files.output.get('Patient') as Patient[]).filter((p) => p.name?.[0]?.family === WIDE_NAME);
    expect(wide).toHaveLength(30); // the original and its 29 copies
    expect(files.manifest.error).toHaveLength(1);

    const job = await context.jobs.find(id);
    expect(job).toMatchObject({ sliced: true, status: 'completed', exported: stored.length });
    const slices = await slicesOf(id);
    expect(slices.map((slice) => slice.slice)).toEqual([1, 2, 3, 4]); // 1,200 rows: 8 slices' worth, at most 4
    expect(slices[0].keyFrom).toBeNull();
    expect(slices[slices.length - 1].keyTo).toBeNull();
    slices.slice(1).forEach((slice, n) => expect(slice.keyFrom).toBe(slices[n].keyTo)); // contiguous
    for (const slice of slices) {
      expect(slice.exported).toBeGreaterThan((stored.length / MAX_SLICES) * 0.5);
      expect(slice.exported).toBeLessThan((stored.length / MAX_SLICES) * 1.5);
    }
    expect(holders.size).toBe(2);
    expect(doubled).toBe(false);

    // each slice's files are its own, named by it, listed type by type in slice order
    const patientFiles = files.manifest.output
      .filter((entry) => entry.type === 'Patient')
      .map((e) => e.url.split('/').pop());
    expect(patientFiles).toEqual([
      'Patient.1-1.ndjson',
      'Patient.2-1.ndjson',
      'Patient.3-1.ndjson',
      'Patient.4-1.ndjson',
    ]);
    for (const name of patientFiles)
      expect(existsSync(join(context.directory, id, name as string))).toBe(true);
  }, 60_000);

  it('completes the export with its last slice, and a failed slice fails it with its reason and stops the others', async () => {
    const id = await context.kickOff(TREAT, 'system');
    const job = await context.jobs.claim('worker-a', 60_000, 5);
    expect(job?.id).toBe(id);
    expect(await context.runner.run(job!, 'worker-a', () => false)).toBe('sliced');

    const first = await context.jobs.claim('worker-a', 60_000, 5);
    expect(first?.slice).toBe(1);
    // one slice at a time per worker: two scans in one process read no faster than one
    expect(await context.jobs.claim('worker-a', 60_000, 5)).toBeUndefined();
    const second = await context.jobs.claim('worker-b', 60_000, 5);
    expect(second?.slice).toBe(2);

    const expiresAt = new Date(Date.now() + 3_600_000);
    expect(await context.jobs.complete(first!.id, 'worker-a', expiresAt)).toBe(true);
    expect((await context.jobs.find(id))?.status).toBe('in-progress');

    await context.jobs.fail(second!.id, 'worker-b', 'The disk is full', expiresAt);
    expect(await context.jobs.find(id)).toMatchObject({
      status: 'failed',
      failureReason: 'The disk is full',
    });
    const statuses = await context.sql<{ slice: number; status: string }[]>`
      SELECT slice, status FROM export_job WHERE parent_id = ${id} ORDER BY slice`;
    expect(statuses).toEqual([
      { slice: 1, status: 'completed' },
      { slice: 2, status: 'failed' },
      { slice: 3, status: 'failed' },
      { slice: 4, status: 'failed' },
    ]);
    expect(await context.jobs.claim('worker-c', 60_000, 5)).toBeUndefined(); // nothing of it is left to run
    await context.sql`UPDATE export_job SET last_polled_at = NULL WHERE id = ${id}`;
    const status = await context.as(TREAT, () => context.service.status(id));
    expect(status).toMatchObject({
      state: 'failed',
      outcome: { issue: [{ diagnostics: 'The disk is full' }] },
    });
    // a slice is not an export a client may address
    await expect(context.as(TREAT, () => context.service.status(first!.id))).rejects.toMatchObject({
      status: 404,
    });
  });

  it('cancels a running sliced export: its slices and their files go, and the workers stop on them', async () => {
    workers = [context.newWorker()];
    workers[0].start();
    const id = await context.kickOff(TREAT, 'system');
    await waitFor(
      () => context.jobs.files(id),
      (files) => files.length > 0,
      { timeoutMs: 30_000, intervalMs: 5, what: 'a slice to checkpoint a file' },
    );
    await context.as(TREAT, () => context.service.cancel(id));
    expect(await context.jobs.find(id)).toBeUndefined();
    expect(await slicesOf(id)).toEqual([]);
    await workers[0].stop(); // whatever the worker was writing, it leaves nothing behind
    expect(existsSync(join(context.directory, id))).toBe(false);
  });

  it('does not slice an export estimated at fewer rows than a slice', async () => {
    workers = [context.newWorker()];
    workers[0].start();
    const id = await context.kickOff(TREAT, 'system', [
      ['_type', 'Patient'],
      ['_since', new Date(Date.now() - 1).toISOString()],
    ]);
    await context.finished(TREAT, id);
    expect((await context.jobs.find(id))?.sliced).toBe(false);
    expect(await slicesOf(id)).toEqual([]);
  });
});
