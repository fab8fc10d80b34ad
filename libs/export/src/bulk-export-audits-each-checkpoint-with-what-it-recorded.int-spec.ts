import { aNationalDataOptOut } from '@continuum/fhir/consent/testing/consent-builders';
import type { AuditEvent, Observation, Patient, Resource } from 'fhir/r4';
import type { ExportWorker } from './export.worker';
import { type ExportContext, openExportContext } from './testing/export-test-context';

const RESEARCH = { scope: 'system/*.rs', purpose_of_use: 'HRESCH' };

/**
 * A bulk export is audited per checkpoint, not per page: each checkpoint that records lines in the job's files
 * appends, in the same transaction, one AuditEvent naming the patients whose resources went in and the count per
 * type. Together the events name every patient exported and add up to the manifest's counts. The opt-out of one of
 * a person's records keeps every record of that person out of a secondary-use export (the scan's hashed set of
 * hidden patients follows the master patient index).
 */
describe('a Bulk Data export audits each checkpoint with what it recorded', () => {
  let context: ExportContext;
  let worker: ExportWorker;
  const kept: string[] = [];
  const optedOut = { record: '', otherRecord: '' };

  beforeAll(async () => {
    // two resources a page and a checkpoint after every page: several checkpoints for a handful of resources
    context = await openExportContext({ pageSize: 2, checkpointEveryMs: 0 });
    const write = async (resource: Resource) => (await context.store.create(resource)).id as string;
    const observationOf = (patient: string): Observation => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'checkpoint-audit' },
      subject: { reference: `Patient/${patient}` },
    });
    for (let i = 0; i < 4; i++) {
      const patient = await write({ resourceType: 'Patient', active: true } as Patient);
      kept.push(patient);
      await write(observationOf(patient));
    }
    optedOut.record = await write({ resourceType: 'Patient', active: true } as Patient);
    optedOut.otherRecord = await write({ resourceType: 'Patient', active: true } as Patient);
    await write(observationOf(optedOut.otherRecord));
    await write(aNationalDataOptOut(optedOut.record));
    const person = '0b6f0a5e-8d1c-4d6e-9a0f-3c1e7d2b9a44';
    await context.sql`INSERT INTO identity_person (id, version) VALUES (${person}, 1)`;
    await context.sql`
      INSERT INTO identity_link (patient_id, person_id, state, origin, version)
      VALUES (${optedOut.record}, ${person}, 'MATCH', 'MANUAL', 1),
             (${optedOut.otherRecord}, ${person}, 'MATCH', 'MANUAL', 1)`;
    worker = context.newWorker();
    worker.start();
  }, 60_000);
  afterAll(async () => {
    await worker.stop();
    await context.close();
  });

  const eventsOf = (jobId: string) =>
    context.sql<{ content: AuditEvent; patient_ids: string[] }[]>`
      SELECT content, patient_ids FROM audit_event
      WHERE content->'entity' @> ${context.sql.json([{ what: { identifier: { value: jobId } } }])}
      ORDER BY seq`;
  const countsOf = (event: AuditEvent) =>
    (event.entity ?? []).flatMap((entity) =>
      entity.detail?.[0]?.type === 'count'
        ? [{ type: entity.name as string, count: Number(entity.detail[0].valueString) }]
        : [],
    );

  it('names every exported patient and adds up to the manifest, one event per checkpoint with lines', async () => {
    const id = await context.kickOff(RESEARCH, 'system', [['_type', 'Patient,Observation']]);
    const files = await context.finished(RESEARCH, id);
    const exportedPatients = (files.output.get('Patient') ?? []).map((patient) => patient.id).sort();
    expect(exportedPatients).toEqual([...kept].sort());

    const checkpoints = (await eventsOf(id)).filter((event) => countsOf(event.content).length > 0);
    // 8 resources at 2 a page: one event per checkpoint that recorded lines, not one per row
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    expect(checkpoints.length).toBeLessThanOrEqual(5);
    const audited = new Map<string, number>();
    for (const event of checkpoints)
      for (const { type, count } of countsOf(event.content))
        audited.set(type, (audited.get(type) ?? 0) + count);
    expect(Object.fromEntries(audited)).toEqual(
      Object.fromEntries(files.manifest.output.map((entry) => [entry.type, entry.count])),
    );
    const named = new Set(checkpoints.flatMap((event) => event.patient_ids));
    expect([...named].sort()).toEqual([...kept].sort());
    expect(named.has(optedOut.record) || named.has(optedOut.otherRecord)).toBe(false);
    expect(checkpoints.every((event) => event.content.subtype?.[0]?.code === 'search-system')).toBe(true);
  });

  it('keeps every record of an opted-out person out, through the master patient index', async () => {
    const files = await context.finished(
      RESEARCH,
      await context.kickOff(RESEARCH, 'system', [['_type', 'Observation']]),
    );
    const subjects = (files.output.get('Observation') ?? []).map(
      (observation) => (observation as Observation).subject?.reference,
    );
    expect(subjects.sort()).toEqual(kept.map((patient) => `Patient/${patient}`).sort());
    const direct = { scope: 'system/*.rs', purpose_of_use: 'TREAT' };
    const all = await context.finished(
      direct,
      await context.kickOff(direct, 'system', [['_type', 'Observation']]),
    );
    expect(all.output.get('Observation')).toHaveLength(kept.length + 1);
  });

  it('writes a checkpoint and its audit together: a failing audit leaves the checkpoint unrecorded', async () => {
    const id = await context.kickOff(RESEARCH, 'system', [['_type', 'Patient']]);
    await context.finished(RESEARCH, id);
    await context.sql`
      UPDATE export_job SET status = 'in-progress', worker_id = 'checkpoint-test', lease_until = now() + interval '1 hour'
      WHERE id = ${id}`;
    const before = await context.jobs.files(id);
    const file = { ...before[0], count: before[0].count + 100, bytes: before[0].bytes + 1000 };
    const point = { resumeAfter: '999999999', exported: 999, files: [file] };
    await expect(
      context.jobs.checkpoint(id, 'checkpoint-test', 1000, point, () =>
        Promise.reject(new Error('audit down')),
      ),
    ).rejects.toThrow('audit down');
    expect(await context.jobs.files(id)).toEqual(before);
    expect((await context.jobs.find(id))?.resumeAfter).not.toBe('999999999');
    // a worker that no longer holds the job records nothing and audits nothing
    let audited = false;
    const held = await context.jobs.checkpoint(id, 'another-worker', 1000, point, async () => {
      audited = true;
    });
    expect({ held, audited }).toEqual({ held: false, audited: false });
  });
});
