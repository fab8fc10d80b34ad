import { randomUUID } from 'node:crypto';
import { testTokens } from '@continuum/security/testing/test-tokens';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { AuditEvent, Bundle, Encounter, OperationOutcome, Parameters, Patient, Resource } from 'fhir/r4';
import postgres from 'postgres';
import { startApi, type RunningApi } from './support/api-app';
import { fhirHttp, idsOf } from './support/fhir-http';

/**
 * Issue #13: an identity administrator merges two records through the API (`Patient/$merge`, with a preview) and
 * undoes it (`Patient/$unmerge`); nobody else may; every call is audited. After the merge the old id still reads
 * (200, inactive, replaced-by), its `$everything` answers for the survivor's person, and `Encounter?patient=<S>`
 * finds the merged patient's Encounter.
 */
describe('identity: an operator merges, previews and unmerges patients through the API', () => {
  const tokens = testTokens();
  const family = `Merge${uniqueSuffix()}`;
  let api: RunningApi;
  let raw: ReturnType<typeof fhirHttp>;
  let sql: postgres.Sql;
  let admin: string;
  let clinician: string;
  let identityAdmin: string;
  const ids = { m: '', s: '', encounter: '', observation: '' };

  const call = <T = Resource>(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    correlation = randomUUID(),
  ) =>
    raw<T>(method, path, {
      body,
      headers: { authorization: `Bearer ${token}`, 'x-correlation-id': correlation },
    });
  const create = async (body: Resource) => {
    const answer = await call<Resource>('POST', body.resourceType, admin, body);
    if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
    return answer.body!.id!;
  };
  const mergeParameters = (source: string, target: string, preview = false): Parameters => ({
    resourceType: 'Parameters',
    parameter: [
      { name: 'source-patient', valueReference: { reference: `Patient/${source}` } },
      { name: 'target-patient', valueReference: { reference: `Patient/${target}` } },
      ...(preview ? [{ name: 'preview', valueBoolean: true }] : []),
    ],
  });
  const parameter = (parameters: Parameters | undefined, name: string) =>
    parameters?.parameter?.find((each) => each.name === name);
  const encounterSubject = async () =>
    ((await call<Encounter>('GET', `Encounter/${ids.encounter}`, admin)).body as Encounter).subject
      ?.reference;

  beforeAll(async () => {
    Object.assign(process.env, tokens.env);
    api = await startApi();
    raw = fhirHttp(api.base);
    sql = postgres(TEST_DATABASE_URL, { max: 2 });
    admin = await tokens.issue({ scope: 'system/*.cruds', clientId: 'etl' });
    clinician = await tokens.issue({
      scope: 'user/*.cruds',
      role: 'clinician',
      subject: 'dr-a',
      clientId: 'ehr',
    });
    identityAdmin = await tokens.issue({
      scope: 'user/Patient.rus',
      role: 'identity-admin',
      subject: 'mpi-admin',
      clientId: 'mpi-console',
    });
    ids.m = await create({
      resourceType: 'Patient',
      active: true,
      name: [{ family, given: ['Old'] }],
    } as Patient);
    ids.s = await create({ resourceType: 'Patient', name: [{ family, given: ['Kept'] }] } as Patient);
    ids.encounter = await create({
      resourceType: 'Encounter',
      status: 'finished',
      class: { code: 'AMB' },
      subject: { reference: `Patient/${ids.m}` },
    } as Encounter);
    ids.observation = await create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: family },
      subject: { reference: `Patient/${ids.m}` },
    } as Resource);
  });
  afterAll(async () => {
    await api.close();
    await sql.end({ timeout: 5 });
  });

  it('refuses anyone but an identity administrator, with an OperationOutcome', async () => {
    const answer = await call<OperationOutcome>(
      'POST',
      'Patient/$merge',
      clinician,
      mergeParameters(ids.m, ids.s),
    );
    expect(answer.status).toBe(403);
    expect(answer.body?.issue[0].diagnostics).toMatch(/identity-admin/);
    const itself = await call<OperationOutcome>(
      'POST',
      'Patient/$merge',
      identityAdmin,
      mergeParameters(ids.m, ids.m),
    );
    expect(itself.status).toBe(422);
    expect(itself.body?.issue[0]).toMatchObject({ code: 'business-rule' });
    const bad = await call<OperationOutcome>('POST', 'Patient/$merge', identityAdmin, {
      resourceType: 'Parameters',
    });
    expect(bad.status).toBe(400);
  });

  it('previews without changing anything, merges, and the old id reads as replaced-by the survivor', async () => {
    const preview = await call<Parameters>(
      'POST',
      'Patient/$merge',
      identityAdmin,
      mergeParameters(ids.m, ids.s, true),
    );
    expect(preview.status).toBe(200);
    expect(parameter(preview.body, 'repointed')?.part).toEqual([
      { name: 'Encounter', valueInteger: 1 },
      { name: 'Observation', valueInteger: 1 },
    ]);
    expect((parameter(preview.body, 'source-result')?.resource as Patient).active).toBe(false);
    expect(await encounterSubject()).toBe(`Patient/${ids.m}`); // the preview changed nothing

    const correlation = randomUUID();
    const merged = await call<Parameters>(
      'POST',
      'Patient/$merge',
      identityAdmin,
      mergeParameters(ids.m, ids.s),
      correlation,
    );
    expect(merged.status).toBe(200);
    expect(parameter(merged.body, 'provenance')?.valueReference?.reference).toMatch(/^Provenance\//);
    expect(await encounterSubject()).toBe(`Patient/${ids.s}`);

    const old = await call<Patient>('GET', `Patient/${ids.m}`, admin);
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({
      active: false,
      link: [{ other: { reference: `Patient/${ids.s}` }, type: 'replaced-by' }],
    });
    const byPatient = await call<Bundle>('GET', `Encounter?patient=${ids.s}`, admin);
    expect(idsOf(byPatient.body)).toEqual([`Encounter/${ids.encounter}`]);
    const everything = await call<Bundle>('GET', `Patient/${ids.m}/$everything`, admin);
    expect(idsOf(everything.body)).toEqual(
      expect.arrayContaining([
        `Patient/${ids.s}`,
        `Encounter/${ids.encounter}`,
        `Observation/${ids.observation}`,
      ]),
    );

    // audited as an operation, under both patients
    const [event] = await sql<{ content: AuditEvent; patient_ids: string[] }[]>`
      SELECT a.content, a.patient_ids FROM audit_event a, jsonb_array_elements(a.content->'entity') e
      WHERE e->'type'->>'code' = 'XrequestId' AND e->'what'->'identifier'->>'value' = ${correlation}`;
    expect(event.patient_ids).toEqual(expect.arrayContaining([ids.m, ids.s]));
    expect(event.content.outcome).toBe('0');
  });

  it('unmerges: the references point to the merged patient again and it is active', async () => {
    const answer = await call<Parameters>('POST', 'Patient/$unmerge', identityAdmin, {
      resourceType: 'Parameters',
      parameter: [{ name: 'source-patient', valueReference: { reference: `Patient/${ids.m}` } }],
    });
    expect(answer.status).toBe(200);
    expect(answer.body?.parameter?.filter((each) => each.name === 'restored')).toHaveLength(2);
    expect(await encounterSubject()).toBe(`Patient/${ids.m}`);
    const patient = (await call<Patient>('GET', `Patient/${ids.m}`, admin)).body as Patient;
    expect(patient.active).toBe(true);
    expect(patient.link).toBeUndefined();
    const again = await call<OperationOutcome>('POST', 'Patient/$unmerge', identityAdmin, {
      resourceType: 'Parameters',
      parameter: [{ name: 'source-patient', valueReference: { reference: `Patient/${ids.m}` } }],
    });
    expect(again.status).toBe(422);
  });
});
