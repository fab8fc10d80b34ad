import { aNationalDataOptOut } from '@continuum/fhir/consent/testing/consent-builders';
import type { Condition, Group, Observation, Patient, Resource } from 'fhir/r4';
import { aLocatablePatient } from '@continuum/store/restricted/testing/restricted-people';
import type { ExportWorker } from './export.worker';
import { type ExportContext, openExportContext } from './testing/export-test-context';

const TREAT = { scope: 'system/*.rs', purpose_of_use: 'TREAT' };
const conditionOf = (patient: string, status: 'active' | 'resolved'): Condition => ({
  resourceType: 'Condition',
  clinicalStatus: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: status }],
  },
  code: { text: `export-test ${status}` },
  subject: { reference: `Patient/${patient}` },
});

/**
 * Exports read through the secured door: the national data opt-out keeps a person out of secondary-use exports
 * (HOPERAT, HRESCH) but not out of direct care; `_typeFilter` selects by the FHIR search semantics at every level;
 * `_elements` subsets; a Group export is its members' records.
 */
describe('a Bulk Data export keeps to the caller’s view and applies _typeFilter', () => {
  let context: ExportContext;
  let worker: ExportWorker;
  const people = { kept: '', optedOut: '', outsider: '' };
  let group = '';

  beforeAll(async () => {
    context = await openExportContext();
    const write = async (resource: Resource) => (await context.store.create(resource)).id as string;
    for (const person of ['kept', 'optedOut', 'outsider'] as const) {
      people[person] = await write({ resourceType: 'Patient', active: true, name: [{ family: person }] } as Patient);
      await write({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'export-test' },
        subject: { reference: `Patient/${people[person]}` },
      } as Observation);
    }
    await write(aNationalDataOptOut(people.optedOut));
    await write(conditionOf(people.kept, 'active'));
    for (let i = 0; i < 14; i++) await write(conditionOf(people.kept, 'resolved'));
    group = await write({
      resourceType: 'Group',
      type: 'person',
      actual: true,
      member: [{ entity: { reference: `Patient/${people.kept}` } }, { entity: { reference: `Patient/${people.optedOut}` } }],
    } as Group);
    worker = context.newWorker();
    worker.start();
  }, 60_000);
  afterAll(async () => {
    await worker.stop();
    await context.close();
  });

  const patientsIn = (resources: Resource[] = []) =>
    resources.map((resource) => (resource as Observation).subject?.reference?.split('/')[1]).sort();

  it('leaves an opted-out person out of HOPERAT and HRESCH exports but not out of direct care', async () => {
    for (const purpose of ['HOPERAT', 'HRESCH']) {
      const claims = { scope: 'system/*.rs', purpose_of_use: purpose };
      const files = await context.finished(claims, await context.kickOff(claims, 'system', [['_type', 'Patient,Observation']]));
      expect(files.output.get('Patient')?.map((p) => p.id).sort()).toEqual([people.kept, people.outsider].sort());
      expect(patientsIn(files.output.get('Observation'))).toEqual([people.kept, people.outsider].sort());
    }
    const direct = await context.finished(TREAT, await context.kickOff(TREAT, 'system', [['_type', 'Patient,Observation']]));
    expect(direct.output.get('Patient')).toHaveLength(3);
    expect(patientsIn(direct.output.get('Observation'))).toContain(people.optedOut);
  });

  it.each([
    ['system', undefined],
    ['patient', undefined],
    ['group', 'group'],
  ] as const)('_typeFilter=Condition?clinical-status=active gives the 1 active of 15 at %s level', async (level, groupId) => {
    const id = await context.kickOff(
      TREAT,
      level,
      [['_type', 'Condition'], ['_typeFilter', 'Condition?clinical-status=active']],
      { groupId: groupId && group },
    );
    const files = await context.finished(TREAT, id);
    const conditions = files.output.get('Condition') ?? [];
    expect(conditions).toHaveLength(1);
    expect((conditions[0] as Condition).clinicalStatus?.coding?.[0].code).toBe('active');
    expect(files.manifest.output).toEqual([expect.objectContaining({ type: 'Condition', count: 1 })]);
  });

  it('exports a Group’s members’ records only, and a patient parameter narrows a Patient export', async () => {
    const groupFiles = await context.finished(TREAT, await context.kickOff(TREAT, 'group', [['_type', 'Patient,Observation']], { groupId: group }));
    expect(groupFiles.output.get('Patient')?.map((p) => p.id).sort()).toEqual([people.kept, people.optedOut].sort());
    const one = await context.finished(
      TREAT,
      await context.kickOff(TREAT, 'patient', [['_type', 'Observation'], ['patient', `Patient/${people.outsider}`]]),
    );
    expect(patientsIn(one.output.get('Observation'))).toEqual([people.outsider]);
  });

  it('follows the person: a Patient export of one record brings the person’s other records', async () => {
    const otherRecord = (await context.store.create({ resourceType: 'Patient', name: [{ family: 'kept' }] } as Patient)).id as string;
    await context.store.create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'export-test other source' },
      subject: { reference: `Patient/${otherRecord}` },
    } as Observation);
    // the master patient index's state after linking: both records are one person (as an operator's manual match)
    const person = '6d1f4c1e-2b0e-4d8e-9a43-0d5c8e1f7a21';
    await context.sql`INSERT INTO identity_person (id, version) VALUES (${person}, 1)`;
    await context.sql`
      INSERT INTO identity_link (patient_id, person_id, state, origin, version)
      VALUES (${people.kept}, ${person}, 'MATCH', 'MANUAL', 1), (${otherRecord}, ${person}, 'MATCH', 'MANUAL', 1)`;
    const files = await context.finished(
      TREAT,
      await context.kickOff(TREAT, 'patient', [['_type', 'Patient,Observation'], ['patient', `Patient/${people.kept}`]]),
    );
    expect(files.output.get('Patient')?.map((p) => p.id).sort()).toEqual([people.kept, otherRecord].sort());
    expect(patientsIn(files.output.get('Observation'))).toEqual([people.kept, otherRecord].sort());
  });

  it('writes a restricted person’s Patient without locating details, in key order among the joined rows', async () => {
    const family = 'chunked-between';
    const ids: string[] = [];
    for (const restricted of [false, true, false])
      ids.push((await context.store.create(aLocatablePatient('ignored', { restricted, family }))).id as string);
    const files = await context.finished(TREAT, await context.kickOff(TREAT, 'system', [['_type', 'Patient']]));
    const written = (files.output.get('Patient') ?? []).filter(
      (resource) => (resource as Patient).name?.[0]?.family === family,
    ) as Patient[];
    expect(written.map((patient) => patient.id)).toEqual(ids);
    expect(written.map((patient) => patient.address?.[0]?.postalCode)).toEqual(['LS1 4AP', undefined, 'LS1 4AP']);
    expect(written[1].telecom).toBeUndefined();
  });

  it('keeps only the _elements asked for, tagged SUBSETTED', async () => {
    const files = await context.finished(TREAT, await context.kickOff(TREAT, 'system', [['_type', 'Patient'], ['_elements', 'Patient.name']]));
    const patient = files.output.get('Patient')?.[0] as Patient;
    expect(Object.keys(patient).sort()).toEqual(['id', 'meta', 'name', 'resourceType']);
    expect(patient.meta?.tag?.map((tag) => tag.code)).toContain('SUBSETTED');
  });

  it('refuses an unknown type or parameter by name, or with lenient handling reports it in the error file', async () => {
    await expect(context.kickOff(TREAT, 'system', [['_type', 'Patient,Bogus']])).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('Bogus'),
    });
    await expect(context.kickOff(TREAT, 'system', [['_frobnicate', '1']])).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('_frobnicate'),
    });
    const id = await context.kickOff(TREAT, 'system', [['_type', 'Patient,Bogus'], ['_frobnicate', '1']], { lenient: true });
    const files = await context.finished(TREAT, id);
    expect(files.output.get('Patient')?.map((p) => p.id)).toEqual(expect.arrayContaining(Object.values(people)));
    expect(files.errors.join('\n')).toEqual(expect.stringContaining('Bogus'));
    expect(files.errors.join('\n')).toEqual(expect.stringContaining('_frobnicate'));
  });

  it('lets only the kick-off client see the status, and fails a job whose types it may not search', async () => {
    const id = await context.kickOff(TREAT, 'system', [['_type', 'Patient']]);
    await expect(
      context.as({ ...TREAT, client_id: 'someone-else' }, () => context.service.status(id)),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      context.kickOff({ scope: 'system/Patient.rs' }, 'system', [['_type', 'Observation']]),
    ).rejects.toMatchObject({ status: 403 });
  });
});
