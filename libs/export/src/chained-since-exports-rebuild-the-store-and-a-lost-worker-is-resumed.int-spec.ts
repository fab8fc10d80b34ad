import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Observation, Patient, Resource } from 'fhir/r4';
import type { ExportSettings } from './export-settings';
import type { ExportWorker } from './export.worker';
import { type ExportContext, type ExportedFiles, openExportContext } from './testing/export-test-context';

const TREAT = { scope: 'system/*.rs', purpose_of_use: 'TREAT' };
const key = (resource: { resourceType: string; id?: string }) => `${resource.resourceType}/${resource.id}`;

/** Each export as one job, and sliced by key range (a slice per 40 rows, at most 3): the same guarantees. */
const MODES: { name: string; settings: Partial<ExportSettings>; sliced: boolean }[] = [
  { name: 'one job', settings: {}, sliced: false },
  { name: 'sliced by key range', settings: { sliceRows: 40, maxSlices: 3 }, sliced: true },
];

/**
 * Consistency while writers run: each export stops at its transactionTime; a full export followed by three chained
 * `_since` exports, deletions applied, rebuilds the store exactly; nothing is both output and deleted. Durability:
 * a job whose worker is lost mid-way (lease lapsed, bytes written after its last checkpoint) is resumed by another
 * worker within twice Retry-After and gives the same files, each resource once. Each holds for an export run as
 * one job and for one cut into slices (docs/bulk-export.md, "Slices"), where a lost slice is resumed on its own.
 */
describe.each(MODES)('chained _since exports rebuild the store, and a lost worker’s job is resumed ($name)', (mode) => {
  let context: ExportContext;
  let worker: ExportWorker;

  beforeAll(async () => {
    context = await openExportContext({ pageSize: 25, maxFileBytes: 8 * 1024, ...mode.settings });
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await context.close();
  });

  const patient = (n: number): Patient => ({ resourceType: 'Patient', active: true, name: [{ family: `P${n}` }] });
  const observation = (subject: string, n: number): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { text: `reading ${n}` },
    subject: { reference: `Patient/${subject}` },
  });

  function checkOne(files: ExportedFiles, transactionTime: string): void {
    const output = [...files.output.values()].flat();
    for (const resource of output)
      expect(Date.parse(resource.meta?.lastUpdated ?? '')).toBeLessThanOrEqual(Date.parse(transactionTime));
    const outputKeys = new Set(output.map(key));
    expect(files.deleted.filter((ref) => outputKeys.has(ref))).toEqual([]);
    expect(outputKeys.size).toBe(output.length); // each resource once
  }

  it('rebuilds the store from a full export and three chained _since exports while writers run', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 60; n++) {
      const p = (await context.store.create(patient(n))).id as string;
      ids.push(p, (await context.store.create(observation(p, n))).id as string);
    }
    worker = context.newWorker();
    worker.start();
    // writers: creates, updates and deletes, all the while
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      for (let n = 1000; writing; n++) {
        const choice = n % 3;
        const target = ids[n % ids.length];
        const type = (n % ids.length) % 2 === 0 ? 'Patient' : 'Observation';
        try {
          if (choice === 0) {
            const p = (await context.store.create(patient(n))).id as string;
            ids.push(p, (await context.store.create(observation(p, n))).id as string);
          } else if (choice === 1) {
            const current = await context.store.read<Resource>(type, target);
            await context.store.update({ ...current, meta: undefined, language: `en-${n % 7}` } as Resource);
          } else await context.store.delete(type, target);
        } catch {
          // the resource was deleted already: fine for a writer
        }
        writes += 1;
      }
    })();

    const rebuilt = new Map<string, Resource>();
    let since: string | undefined;
    for (let round = 0; round < 4; round++) {
      if (round === 3) {
        writing = false; // the last export runs after every write, so it must leave the store's final state
        await writer;
      } else await new Promise((resolve) => setTimeout(resolve, 1000));
      const id = await context.kickOff(TREAT, 'system', since ? [['_since', since]] : []);
      const files = await context.finished(TREAT, id);
      if (round === 0) expect((await context.jobs.find(id))?.sliced).toBe(mode.sliced);
      checkOne(files, files.manifest.transactionTime);
      if (since) expect(files.manifest.deleted).toBeDefined();
      for (const resource of [...files.output.values()].flat()) rebuilt.set(key(resource), resource);
      for (const ref of files.deleted) rebuilt.delete(ref);
      since = files.manifest.transactionTime;
    }
    expect(writes).toBeGreaterThan(10);

    const live = new Map<string, string>();
    for await (const page of context.store.scan({})) for (const row of page) live.set(`${row.resourceType}/${row.id}`, String(row.versionId));
    const exported = new Map([...rebuilt].map(([ref, resource]) => [ref, String(resource.meta?.versionId)]));
    expect(exported).toEqual(live);
  }, 120_000);

  it('resumes a job whose worker was lost mid-way from its last checkpoint, within twice Retry-After', async () => {
    await worker.stop();
    const expected = await (async () => {
      const rows: string[] = [];
      for await (const page of context.store.scan({ types: { include: ['Patient', 'Observation'] } }))
        rows.push(...page.map((row) => `${row.resourceType}/${row.id}`));
      return rows.sort();
    })();
    const id = await context.kickOff(TREAT, 'system', [['_type', 'Patient,Observation']]);

    // a worker claims the job, writes a few pages, and is "killed": it stops renewing and leaves bytes past its
    // last checkpoint in an unfinished file
    let claimed = await context.jobs.claim('doomed-worker', 1000, 5);
    expect(claimed?.id).toBe(id);
    if (mode.sliced) {
      // the export is sliced first; the doomed worker then takes its first slice
      expect(await context.runner.run(claimed!, 'doomed-worker', () => false)).toBe('sliced');
      claimed = await context.jobs.claim('doomed-worker', 1000, 5);
      expect(claimed?.parentId).toBe(id);
    }
    let pages = 0;
    const originalScan = context.secured.scanCheckpointed.bind(context.secured);
    context.secured.scanCheckpointed = (options) => {
      const scan = originalScan(options);
      const counted = async function* () {
        for await (const page of scan.pages) {
          pages += 1;
          yield page;
        }
      };
      return { ...scan, pages: counted() };
    };
    const outcome = await context.runner.run(claimed!, 'doomed-worker', () => pages >= 4);
    context.secured.scanCheckpointed = originalScan;
    expect(outcome).toBe('lost');
    const unfinished = (await context.jobs.files(id)).find((file) => !file.complete);
    expect(unfinished).toBeDefined();
    appendFileSync(join(context.directory, id, unfinished!.name), '{"resourceType":"Patient","id":"half-writ');
    const checkpointed = await context.jobs.find(claimed!.id);
    expect(checkpointed?.resumeAfter).not.toBeNull();

    const lostAt = Date.now();
    worker = context.newWorker();
    worker.start();
    const files = await context.finished(TREAT, id);
    expect(Date.now() - lostAt).toBeLessThan(2 * context.settings.retryAfterSeconds * 1000 + 5000);
    const job = await context.jobs.find(claimed!.id);
    expect(job?.attempts).toBe(2);
    const exported = [...files.output.values()].flat().map(key).sort();
    expect(exported).toEqual(expected);
    // split by size: several parts per type, each a whole number of lines
    expect(files.manifest.output.filter((entry) => entry.type === 'Patient').length).toBeGreaterThan(1);
  }, 60_000);

  it('cancels: the job and its files are gone', async () => {
    const id = await context.kickOff(TREAT, 'system', []);
    await context.finished(TREAT, id);
    const [file] = await context.jobs.files(id);
    expect(await context.files.size(id, file.name)).toBeGreaterThan(0);
    await context.as(TREAT, () => context.service.cancel(id));
    expect(await context.jobs.find(id)).toBeUndefined();
    expect(await context.files.size(id, file.name)).toBeUndefined();
    const [{ slices }] = await context.sql<{ slices: number }[]>`
      SELECT count(*)::int AS slices FROM export_job WHERE parent_id = ${id}`;
    expect(slices).toBe(0);
  });

  it('sweeps a job and its files once they expire', async () => {
    const id = await context.kickOff(TREAT, 'system', [['_type', 'Patient']]);
    await context.finished(TREAT, id);
    const [file] = await context.jobs.files(id);
    expect(await context.files.size(id, file.name)).toBeGreaterThan(0);
    await context.sql`UPDATE export_job SET expires_at = now() - interval '1 second' WHERE id = ${id}`;
    expect(await worker.sweep()).toBeGreaterThanOrEqual(1);
    expect(await context.jobs.find(id)).toBeUndefined();
    expect(await context.files.size(id, file.name)).toBeUndefined();
  });
});
