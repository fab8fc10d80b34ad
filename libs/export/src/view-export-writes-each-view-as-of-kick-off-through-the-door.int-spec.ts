import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { join } from 'node:path';
import { aNationalDataOptOut } from '@continuum/fhir/consent/testing/consent-builders';
import { type ViewDefinition, viewDefinitionAsBasic } from '@continuum/fhir';
import type { Basic, Observation, ParametersParameter, Patient, Resource } from 'fhir/r4';
import type { ExportJob } from '@continuum/store';
import type { ExportWorker } from './export.worker';
import { ViewExportJobRunner } from './view-export';
import { type ExportContext, openExportContext } from './testing/export-test-context';

const TREAT = { scope: 'system/*.rs', purpose_of_use: 'TREAT' };
const HOPERAT = { scope: 'system/*.rs', purpose_of_use: 'HOPERAT' };
const VIEW_URL = 'https://continuum.example/views/observations';

const patientView: ViewDefinition = {
  resourceType: 'ViewDefinition',
  name: 'patients',
  status: 'active',
  resource: 'Patient',
  select: [
    {
      column: [
        { name: 'id', path: 'getResourceKey()' },
        { name: 'family', path: 'name.family.first()' },
      ],
    },
  ],
};
const observationView = (version: string): ViewDefinition => ({
  resourceType: 'ViewDefinition',
  url: VIEW_URL,
  version,
  name: 'observations',
  status: 'active',
  resource: 'Observation',
  select: [
    {
      column: [
        { name: 'id', path: 'getResourceKey()' },
        { name: 'patient', path: 'subject.getReferenceKey(Patient)' },
        { name: version === '1' ? 'code' : 'text', path: 'code.text' },
      ],
    },
  ],
});

const inline = (view: ViewDefinition, name?: string): ParametersParameter => ({
  name: 'view',
  part: [...(name ? [{ name: 'name', valueString: name }] : []), { name: 'viewResource', resource: view as never }],
});
const byReference = (reference: string): ParametersParameter => ({
  name: 'view',
  part: [{ name: 'viewReference', valueReference: { reference } }],
});

/**
 * `$viewdefinition-export` (SQL on FHIR v2, asynchronous): one file per view, written by an exporter worker through
 * the secured door as of the kick-off, listed in the Bulk Data-style manifest with its row count; views are resolved
 * and checked at kick-off, so a bad request is refused there and never becomes a failed job.
 */
describe('$viewdefinition-export writes each view as of its kick-off, through the secured door', () => {
  let context: ExportContext;
  let worker: ExportWorker;
  const people = { kept: '', optedOut: '', late: '' };

  beforeAll(async () => {
    context = await openExportContext();
    const write = async (resource: Resource) => (await context.store.create(resource)).id as string;
    for (const person of ['kept', 'optedOut'] as const) {
      people[person] = await write({ resourceType: 'Patient', name: [{ family: person }] } as Patient);
      for (const text of ['first', 'second'])
        await write({
          resourceType: 'Observation',
          status: 'final',
          code: { text },
          subject: { reference: `Patient/${people[person]}` },
        } as Observation);
    }
    await write(aNationalDataOptOut(people.optedOut));
    for (const version of ['1', '2']) await write(viewDefinitionAsBasic(observationView(version)) as Basic);
    worker = context.newWorker();
    worker.start();
  }, 60_000);
  afterAll(async () => {
    await worker.stop();
    await context.close();
  });

  const kickOff = (claims: typeof TREAT, parameters: ParametersParameter[], storedId?: string) =>
    context.as(claims, async () => {
      const url = await context.viewExports.kickOff({
        parameters,
        requestUrl: 'http://localhost/fhir/ViewDefinition/$viewdefinition-export',
        storedId,
      });
      return url.split('/').pop() as string;
    });
  const fileOf = (id: string, url: string) => readFileSync(join(context.directory, id, url.split('/').pop() as string), 'utf8');

  it('writes one CSV per view, rows in key order, counted in the manifest, and nothing written after the kick-off', async () => {
    const id = await kickOff(TREAT, [inline(patientView), byReference(`${VIEW_URL}|1`)]);
    // written after the kick-off: past the job's snapshot, so in neither file
    people.late = (await context.store.create({ resourceType: 'Patient', name: [{ family: 'late' }] } as Patient)).id as string;
    const manifest = await context.completedManifest(TREAT, id);
    const output = new Map(manifest.output.map((entry) => [entry.type, entry]));

    expect([...output.values()].map((entry) => [entry.type, entry.count]).sort()).toEqual([
      ['observations', 4],
      ['patients', 2],
    ]);
    const patients = fileOf(id, output.get('patients')?.url ?? '');
    expect(patients).toBe(`id,family\r\n${people.kept},kept\r\n${people.optedOut},optedOut\r\n`);
    expect(output.get('patients')?.url).toMatch(/patients\.csv$/);
    const observations = fileOf(id, output.get('observations')?.url ?? '').split('\r\n');
    expect(observations[0]).toBe('id,patient,code'); // version 1 of the stored view, as named
    expect(observations.slice(1, -1).map((line) => line.split(',').slice(1).join(','))).toEqual([
      `${people.kept},first`,
      `${people.kept},second`,
      `${people.optedOut},first`,
      `${people.optedOut},second`,
    ]);
  });

  it('leaves an opted-out person out of a secondary-use export, and keeps them for direct care', async () => {
    const id = await kickOff(HOPERAT, [inline(patientView)]);
    const secondary = await context.completedManifest(HOPERAT, id);
    expect(secondary.output[0].count).toBe(2);
    expect(fileOf(id, secondary.output[0].url)).toBe(`id,family\r\n${people.kept},kept\r\n${people.late},late\r\n`);
    const direct = await context.completedManifest(TREAT, await kickOff(TREAT, [inline(patientView)]));
    expect(direct.output[0].count).toBe(3);
  });

  it('takes a stored view by id, NDJSON without header, one patient, and the latest version by url', async () => {
    const stored = await context.as(TREAT, () => context.views.storedView(VIEW_URL)); // the latest: version 2
    expect((stored as ViewDefinition).version).toBe('2');
    const id = await kickOff(TREAT, [
      { name: '_format', valueCode: 'ndjson' },
      { name: 'patient', valueReference: { reference: `Patient/${people.kept}` } },
      byReference(VIEW_URL),
    ]);
    const manifest = await context.completedManifest(TREAT, id);
    const rows = fileOf(id, manifest.output[0].url)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { patient: string; text: string });
    expect(rows.map((row) => [row.patient, row.text])).toEqual([
      [people.kept, 'first'],
      [people.kept, 'second'],
    ]);
    expect(manifest.output[0].url).toMatch(/observations\.ndjson$/);
  });

  it('writes Parquet when asked: the same rows, typed, counted in the manifest', async () => {
    const id = await kickOff(TREAT, [{ name: '_format', valueCode: 'parquet' }, inline(patientView)]);
    const manifest = await context.completedManifest(TREAT, id);
    expect(manifest.output[0].url).toMatch(/patients\.parquet$/);
    const bytes = readFileSync(join(context.directory, id, manifest.output[0].url.split('/').pop() as string));
    const rows = tableFromIPC(readParquet(bytes).intoIPCStream())
      .toArray()
      .map((row) => row.toJSON());
    expect(manifest.output[0].count).toBe(rows.length);
    expect(rows.slice(0, 2)).toEqual([
      { id: people.kept, family: 'kept' },
      { id: people.optedOut, family: 'optedOut' },
    ]);
  });

  it('refuses at kick-off, naming the problem: unknown parameters and parts, no view, invalid or clashing views, no scope', async () => {
    const refused = (claims: typeof TREAT, parameters: ParametersParameter[]) =>
      kickOff(claims, parameters).then(
        () => undefined,
        (error: { status?: number; message: string }) => ({ status: error.status, message: error.message }),
      );
    expect(await refused(TREAT, [inline(patientView), { name: '_outputFormat', valueString: 'csv' }])).toEqual({
      status: 400,
      message: expect.stringContaining("'_outputFormat'"),
    });
    expect(await refused(TREAT, [{ name: 'view', part: [{ name: 'viewUrl', valueString: VIEW_URL }] }])).toEqual({
      status: 400,
      message: expect.stringContaining("unknown part 'viewUrl'"),
    });
    expect(await refused(TREAT, [])).toEqual({ status: 400, message: expect.stringContaining('at least one view') });
    expect(await refused(TREAT, [inline(patientView), inline(patientView)])).toEqual({
      status: 400,
      message: expect.stringContaining("Two views are named 'patients'"),
    });
    expect(await refused(TREAT, [inline(patientView, '../etc')])).toEqual({
      status: 400,
      message: expect.stringContaining("view name '../etc'"),
    });
    const invalid = { ...patientView, select: [{ column: [{ name: 'a b', path: 'id' }] }] } as ViewDefinition;
    expect((await refused(TREAT, [inline(invalid)]))?.status).toBe(422);
    expect(await refused(TREAT, [byReference('https://continuum.example/views/none')])).toEqual({
      status: 404,
      message: expect.stringContaining('No stored ViewDefinition'),
    });
    expect(await refused({ ...TREAT, scope: 'system/Patient.rs' }, [inline(observationView('1'))])).toEqual({
      status: 403,
      message: expect.stringContaining('No search scope on Observation'),
    });
    const [{ jobs }] = await context.sql<{ jobs: number }[]>`
      SELECT count(*)::int AS jobs FROM export_job WHERE kind = 'view-export' AND status <> 'completed'`;
    expect(jobs).toBe(0);
  });

  it('resumes a lost job after its finished views, writing the unfinished one again', async () => {
    await worker.stop();
    const id = await kickOff(TREAT, [inline(patientView), byReference(`${VIEW_URL}|1`)]);
    // a first worker that loses the job at the second view's first page, after the first view was checkpointed
    const job = await context.jobs.claim('lost-worker', 60_000, 5);
    expect(job?.id).toBe(id);
    let pages = 0;
    const runner = new ViewExportJobRunner(context.views, context.jobs, context.files, context.settings);
    expect(await runner.run(job as ExportJob, 'lost-worker', () => pages++ > 0)).toBe('lost');
    expect((await context.jobs.files(id)).map((file) => [file.name, file.count, file.complete])).toEqual([
      ['patients.csv', 3, true],
    ]);
    // its lease lapses; the next worker writes only the view left
    await context.sql`UPDATE export_job SET lease_until = clock_timestamp() - interval '1 second' WHERE id = ${id}`;
    const written: string[] = [];
    const append = context.files.append.bind(context.files);
    context.files.append = (jobId, name, keep) => (written.push(name), append(jobId, name, keep));
    worker = context.newWorker();
    worker.start();
    const manifest = await context.completedManifest(TREAT, id);
    expect(manifest.output.map((entry) => [entry.type, entry.count]).sort()).toEqual([
      ['observations', 4],
      ['patients', 3],
    ]);
    expect(written).toEqual(['observations.csv']);
    context.files.append = append;
  });
});
