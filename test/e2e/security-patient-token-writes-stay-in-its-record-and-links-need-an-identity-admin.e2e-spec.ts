import { randomUUID } from 'node:crypto';
import { testTokens } from '@continuum/security/testing/test-tokens';
import { uniqueSuffix } from '@continuum/testing';
import type { Bundle, BundleEntry, Observation, OperationOutcome, Patient, Resource } from 'fhir/r4';
import { startApi, type RunningApi } from './support/api-app';
import { fhirHttp, idsOf } from './support/fhir-http';

/**
 * Issue #14, gap 2: a patient/ token writes only within its own record — every patient a written resource names
 * must be the token's, not merely one of them — and who is the same person (Patient.link, which $everything and
 * $summary follow) is changed only by an identity administrator.
 */
describe('security: a patient token writes only its own record; Patient.link needs an identity administrator', () => {
  const tokens = testTokens();
  let api: RunningApi;
  let raw: ReturnType<typeof fhirHttp>;
  const family = `Writes${uniqueSuffix()}`;
  let admin: string;
  let mine: string;
  let identityAdmin: string;
  const ids = { a: '', b: '', obsA: '', obsB: '' };

  const call = <T = Resource>(
    method: string,
    path: string,
    token: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    raw<T>(method, path, {
      body: options.body,
      headers: { authorization: `Bearer ${token}`, 'x-correlation-id': randomUUID(), ...options.headers },
    });
  const observation = (subject: string, extra: Partial<Observation> = {}): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { text: family },
    subject: { reference: `Patient/${subject}` },
    ...extra,
  });
  const create = async (body: Patient | Observation) => {
    const answer = await call<Resource>('POST', body.resourceType, admin, { body });
    if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
    return answer.body?.id ?? '';
  };
  const patientA = async () => (await call<Patient>('GET', `Patient/${ids.a}`, admin)).body as Patient;
  const linkedToB = (patient: Patient): Patient => ({
    ...patient,
    link: [{ other: { reference: `Patient/${ids.b}` }, type: 'seealso' }],
  });
  const jsonPatch = (operations: object[]) => ({
    body: operations,
    headers: { 'content-type': 'application/json-patch+json' },
  });
  const recordOfB = async () =>
    idsOf((await call<Bundle>('GET', `Observation?patient=${ids.b}&_count=100`, admin)).body);
  const transaction = (entry: BundleEntry[]): Bundle => ({
    resourceType: 'Bundle',
    type: 'transaction',
    entry,
  });

  beforeAll(async () => {
    Object.assign(process.env, tokens.env);
    api = await startApi();
    raw = fhirHttp(api.base);
    admin = await tokens.issue({ scope: 'system/*.cruds', clientId: 'etl' });
    ids.a = await create({ resourceType: 'Patient', name: [{ family }] });
    ids.b = await create({ resourceType: 'Patient', name: [{ family }] });
    ids.obsA = await create(observation(ids.a));
    ids.obsB = await create(observation(ids.b));
    mine = await tokens.issue({
      scope: 'launch/patient patient/*.cruds',
      patient: ids.a,
      clientId: 'patient-app',
    });
    identityAdmin = await tokens.issue({
      scope: 'user/Patient.rus',
      role: 'identity-admin',
      subject: 'mpi-admin',
      clientId: 'mpi-console',
    });
  });
  afterAll(() => api.close());

  it('refuses a resource that names another patient, even alongside the token’s own', async () => {
    const both = observation(ids.b, { performer: [{ reference: `Patient/${ids.a}` }] });
    expect((await call<OperationOutcome>('POST', 'Observation', mine, { body: both })).status).toBe(403);
    const moved = observation(ids.b, { id: ids.obsA, performer: [{ reference: `Patient/${ids.a}` }] });
    expect((await call('PUT', `Observation/${ids.obsA}`, mine, { body: moved })).status).toBe(403);
    const patched = await call(
      'PATCH',
      `Observation/${ids.obsA}`,
      mine,
      jsonPatch([{ op: 'add', path: '/performer', value: [{ reference: `Patient/${ids.b}` }] }]),
    );
    expect(patched.status).toBe(403);
    expect(await recordOfB()).toEqual([`Observation/${ids.obsB}`]);
    // its own record stays writable, JSON Patch included (the patched content is checked before it is written)
    expect((await call('POST', 'Observation', mine, { body: observation(ids.a) })).status).toBe(201);
    const noted = await call<Observation>(
      'PATCH',
      `Observation/${ids.obsA}`,
      mine,
      jsonPatch([{ op: 'add', path: '/note', value: [{ text: 'measured at home' }] }]),
    );
    expect(noted.status).toBe(200);
  });

  it('keeps conditional writes and bundles to its record: another patient’s matches are absent, its entries refused', async () => {
    const created = await call<Observation>('POST', 'Observation', mine, {
      body: observation(ids.a),
      headers: { 'if-none-exist': `_id=${ids.obsB}` },
    });
    expect(created.status).toBe(201);
    expect(created.body?.id).not.toBe(ids.obsB);
    expect((await call('DELETE', `Observation?_id=${ids.obsB}`, mine)).status).toBe(204);
    expect(
      (await call('PUT', `Observation?_id=${ids.obsB}`, mine, { body: observation(ids.a) })).status,
    ).toBe(201);
    expect(await recordOfB()).toEqual([`Observation/${ids.obsB}`]);
    expect((await call('GET', `Observation/${ids.obsB}`, admin)).body?.meta?.versionId).toBe('1');

    const own = await call<Bundle>('POST', '', mine, {
      body: transaction([{ resource: observation(ids.a), request: { method: 'POST', url: 'Observation' } }]),
    });
    expect(own.status).toBe(200);
    const other = await call('POST', '', mine, {
      body: transaction([
        { resource: observation(ids.a), request: { method: 'POST', url: 'Observation' } },
        { resource: observation(ids.b), request: { method: 'POST', url: 'Observation' } },
      ]),
    });
    expect(other.status).toBe(403);
    const reads = await call<Bundle>('POST', '', mine, {
      body: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'GET', url: `Observation/${ids.obsB}` } },
          { request: { method: 'GET', url: `Observation?patient=${ids.b}` } },
        ],
      },
    });
    expect(reads.body?.entry?.[0].response?.status).toBe('404 Not Found');
    expect(idsOf(reads.body?.entry?.[1].resource as Bundle)).toEqual([]);
    expect(await recordOfB()).toEqual([`Observation/${ids.obsB}`]);
  });

  it('refuses Patient.link changes to the patient, clinicians and system clients: $everything stays one person', async () => {
    expect((await call('PUT', `Patient/${ids.a}`, mine, { body: linkedToB(await patientA()) })).status).toBe(
      403,
    );
    const everything = idsOf((await call<Bundle>('GET', `Patient/${ids.a}/$everything`, mine)).body);
    expect(everything).not.toContain(`Observation/${ids.obsB}`);
    expect(everything).not.toContain(`Patient/${ids.b}`);

    const clinician = await tokens.issue({ scope: 'user/*.cruds', role: 'clinician', organisation: 'RR8' });
    for (const token of [clinician, admin]) {
      const answer = await call<OperationOutcome>('PUT', `Patient/${ids.a}`, token, {
        body: linkedToB(await patientA()),
      });
      expect(answer.status).toBe(403);
      expect(answer.body?.issue[0].diagnostics).toMatch(/Patient\.link.*identity-admin/);
    }
    const addLink = [
      { op: 'add', path: '/link', value: [{ other: { reference: `Patient/${ids.b}` }, type: 'seealso' }] },
    ];
    expect((await call('PATCH', `Patient/${ids.a}`, admin, jsonPatch(addLink))).status).toBe(403);
    expect(
      (await call('PUT', `Patient?_id=${ids.a}`, admin, { body: linkedToB(await patientA()) })).status,
    ).toBe(403);
    const inBundle = await call('POST', '', admin, {
      body: transaction([
        { resource: linkedToB(await patientA()), request: { method: 'PUT', url: `Patient/${ids.a}` } },
      ]),
    });
    expect(inBundle.status).toBe(403);
    const linkedAtBirth = await call('POST', 'Patient', admin, {
      body: {
        resourceType: 'Patient',
        link: [{ other: { reference: `Patient/${ids.b}` }, type: 'seealso' }],
      },
    });
    expect(linkedAtBirth.status).toBe(403);
    expect((await patientA()).link).toBeUndefined();
    // other changes to a patient stay open to those who may update it
    const renamed = { ...(await patientA()), name: [{ family, given: ['Ann'] }] };
    expect((await call('PUT', `Patient/${ids.a}`, admin, { body: renamed })).status).toBe(200);
  });

  it('lets an identity administrator link and unlink patients, and nothing more', async () => {
    const linked = await call<Patient>('PUT', `Patient/${ids.a}`, identityAdmin, {
      body: linkedToB(await patientA()),
    });
    expect(linked.status).toBe(200);
    expect(idsOf((await call<Bundle>('GET', `Patient/${ids.a}/$everything`, admin)).body)).toContain(
      `Observation/${ids.obsB}`,
    );
    // a linked patient cannot be deleted by others (that would drop the link), nor unlinked by dropping it in a PUT
    expect((await call('DELETE', `Patient/${ids.a}`, admin)).status).toBe(403);
    const { link: _dropped, ...unlinked } = await patientA();
    expect((await call('PUT', `Patient/${ids.a}`, admin, { body: unlinked })).status).toBe(403);
    expect((await call('PUT', `Patient/${ids.a}`, identityAdmin, { body: unlinked })).status).toBe(200);
    expect((await patientA()).link).toBeUndefined();

    expect((await call('POST', 'Patient', identityAdmin, { body: { resourceType: 'Patient' } })).status).toBe(
      403,
    );
    expect((await call('DELETE', `Patient/${ids.b}`, identityAdmin)).status).toBe(403);
    expect((await call('POST', 'Observation', identityAdmin, { body: observation(ids.a) })).status).toBe(403);
    expect((await call('GET', `Observation/${ids.obsA}`, identityAdmin)).status).toBe(403);
  });
});
