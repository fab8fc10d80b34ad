import { anObjection } from '@continuum/fhir/consent/testing/consent-builders';
import { randomUUID } from 'node:crypto';
import { testTokens } from '@continuum/security/testing/test-tokens';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { Bundle, BundleEntry, Consent, Observation, OperationOutcome, Patient, Resource } from 'fhir/r4';
import postgres from 'postgres';
import { startApi, type RunningApi } from './support/api-app';
import { fhirHttp, idsOf } from './support/fhir-http';


/**
 * Issue #14, gap 1: a clinician of an organisation the patient objected to, holding write scopes, reaches the hidden
 * record through no conditional operation and no bundle entry. Each attack below worked before the caller's view
 * was applied inside the store's write path; each now answers as if the hidden resources were not there (or is
 * refused, as the equivalent single request is), and changes nothing.
 */
describe('security: conditional writes and bundle entries keep to the caller’s view (consent, scopes, audit)', () => {
  const tokens = testTokens();
  let api: RunningApi;
  let sql: postgres.Sql;
  let raw: ReturnType<typeof fhirHttp>;
  const code = `view-${uniqueSuffix()}`;
  let admin: string;
  let elsewhere: string;
  /** The objector (hidden from RX1) and a patient who has not objected (visible to RX1). */
  const hidden = { patient: '', observation: '', consent: '' };
  const visible = { patient: '', observation: '' };

  const call = async <T = Resource>(
    method: string,
    path: string,
    token: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const correlation = randomUUID();
    const answer = await raw<T>(method, path, {
      body: options.body,
      headers: { authorization: `Bearer ${token}`, 'x-correlation-id': correlation, ...options.headers },
    });
    return { ...answer, correlation };
  };
  const create = async (body: Patient | Observation | Consent) => {
    const answer = await call<Resource>('POST', body.resourceType, admin, { body });
    if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
    return answer.body?.id ?? '';
  };
  const observation = (patient: string, text = code): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { text },
    subject: { reference: `Patient/${patient}` },
  });
  const objection = (patient: string): Consent => anObjection(patient, { permitted: ['RR8'] });
  /** The stored version, as a system client sees it (410 / 404 give the status). */
  const stored = async (path: string) => {
    const answer = await call<Resource>('GET', path, admin);
    return { status: answer.status, version: answer.body?.meta?.versionId, body: answer.body };
  };
  const bundle = (type: 'transaction' | 'batch', entry: BundleEntry[]): Bundle => ({
    resourceType: 'Bundle',
    type,
    entry,
  });
  const auditedPatientsOf = async (correlation: string) => {
    const [row] = await sql<{ patient_ids: string[]; outcome: string }[]>`
      SELECT patient_ids, outcome FROM audit_event, jsonb_array_elements(content->'entity') e
      WHERE e->'what'->'identifier'->>'value' = ${correlation}`;
    return row?.patient_ids ?? [];
  };
  const expectObjectionHolds = async () => {
    expect(await stored(`Consent/${hidden.consent}`)).toMatchObject({ status: 200, version: '1' });
    expect((await call('GET', `Patient/${hidden.patient}`, elsewhere)).status).toBe(403);
  };

  beforeAll(async () => {
    Object.assign(process.env, tokens.env);
    api = await startApi();
    raw = fhirHttp(api.base);
    sql = postgres(TEST_DATABASE_URL, { max: 2, onnotice: () => undefined });
    admin = await tokens.issue({ scope: 'system/*.cruds', clientId: 'etl' });
    elsewhere = await tokens.issue({
      scope: 'user/*.cruds',
      role: 'clinician',
      organisation: 'RX1',
      subject: 'dr-elsewhere',
    });
    for (const person of [hidden, visible]) {
      person.patient = await create({ resourceType: 'Patient', name: [{ family: code }] });
      person.observation = await create(observation(person.patient));
    }
    hidden.consent = await create(objection(hidden.patient));
    expect((await call('GET', `Observation/${hidden.observation}`, elsewhere)).status).toBe(403);
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await api.close();
  });

  it('If-None-Exist never returns a hidden match, nor says one exists: it creates as if there were none', async () => {
    const byId = await call<Observation>('POST', 'Observation', elsewhere, {
      body: observation(visible.patient, 'probe'),
      headers: { 'if-none-exist': `_id=${hidden.observation}` },
    });
    expect(byId.status).toBe(201);
    expect(byId.body?.id).not.toBe(hidden.observation);
    expect(byId.body?.subject?.reference).toBe(`Patient/${visible.patient}`);
    // the presence oracle: criteria matching only the hidden patient's data answer as criteria matching nothing
    const byPatient = await call<Observation>('POST', 'Observation', elsewhere, {
      body: observation(visible.patient, 'probe'),
      headers: { 'if-none-exist': `patient=${hidden.patient}` },
    });
    expect(byPatient.status).toBe(201);
    // a visible match still answers 200 with it
    const seen = await call<Observation>('POST', 'Observation', elsewhere, {
      body: observation(visible.patient),
      headers: { 'if-none-exist': `_id=${visible.observation}` },
    });
    expect(seen.status).toBe(200);
    expect(seen.body?.id).toBe(visible.observation);
  });

  it('a conditional update never overwrites a hidden match: PUT Consent?_id= cannot lift the objection', async () => {
    const lifted = { ...objection(hidden.patient), status: 'inactive' as const };
    const answer = await call<Consent>('PUT', `Consent?_id=${hidden.consent}`, elsewhere, { body: lifted });
    expect(answer.status).toBe(201); // as if nothing matched: a new resource, not the objection
    expect(answer.body?.id).not.toBe(hidden.consent);
    await expectObjectionHolds();
    // naming the hidden resource's id in the body is the instance update, refused as that is
    const named = await call<OperationOutcome>('PUT', `Consent?_id=${hidden.consent}`, elsewhere, {
      body: { ...lifted, id: hidden.consent },
    });
    expect(named.status).toBe(403);
    const overwritten = await call('PUT', `Observation?_id=${hidden.observation}`, elsewhere, {
      body: observation(visible.patient, 'overwritten'),
    });
    expect(overwritten.status).toBe(201);
    expect(await stored(`Observation/${hidden.observation}`)).toMatchObject({ status: 200, version: '1' });
    await expectObjectionHolds();
  });

  it('a conditional delete of only hidden matches deletes nothing and answers "nothing matched"', async () => {
    const answer = await call('DELETE', `Observation?_id=${hidden.observation}`, elsewhere);
    expect(answer.status).toBe(204);
    expect(await stored(`Observation/${hidden.observation}`)).toMatchObject({ status: 200, version: '1' });
    expect((await call('DELETE', `Consent?_id=${hidden.consent}`, elsewhere)).status).toBe(204);
    await expectObjectionHolds();
  });

  it('a transaction PUT, a transaction PATCH and a batch DELETE are refused as the single requests are', async () => {
    const lifted = { ...objection(hidden.patient), id: hidden.consent, status: 'inactive' as const };
    const put = await call<OperationOutcome>('POST', '', elsewhere, {
      body: bundle('transaction', [
        { resource: lifted, request: { method: 'PUT', url: `Consent/${hidden.consent}` } },
      ]),
    });
    expect(put.status).toBe(403);
    const patch = [{ op: 'replace', path: '/status', value: 'entered-in-error' }];
    const patched = await call('POST', '', elsewhere, {
      body: bundle('transaction', [
        {
          resource: {
            resourceType: 'Binary',
            contentType: 'application/json-patch+json',
            data: Buffer.from(JSON.stringify(patch)).toString('base64'),
          },
          request: { method: 'PATCH', url: `Observation/${hidden.observation}` },
        },
      ]),
    });
    expect(patched.status).toBe(403);
    const batch = await call<Bundle>('POST', '', elsewhere, {
      body: bundle('batch', [
        { request: { method: 'DELETE', url: `Consent/${hidden.consent}` } },
        { request: { method: 'DELETE', url: `Observation?_id=${hidden.observation}` } },
      ]),
    });
    expect(batch.status).toBe(200);
    expect(batch.body?.entry?.map((entry) => entry.response?.status)).toEqual([
      '403 Forbidden',
      '204 No Content',
    ]);
    const conditional = await call<Bundle>('POST', '', elsewhere, {
      body: bundle('transaction', [
        { request: { method: 'DELETE', url: `Observation?_id=${hidden.observation}` } },
        {
          resource: observation(visible.patient, 'probe'),
          request: { method: 'POST', url: 'Observation', ifNoneExist: `_id=${hidden.observation}` },
        },
      ]),
    });
    expect(conditional.status).toBe(200);
    expect(conditional.body?.entry?.[1].response?.status).toBe('201 Created');
    expect(await stored(`Observation/${hidden.observation}`)).toMatchObject({ status: 200, version: '1' });
    await expectObjectionHolds();
  });

  it('reads inside a bundle go through the same view as searches and reads', async () => {
    const batch = await call<Bundle>('POST', '', elsewhere, {
      body: bundle('batch', [
        { request: { method: 'GET', url: `Observation/${hidden.observation}` } },
        { request: { method: 'GET', url: `Observation/${visible.observation}` } },
        { request: { method: 'GET', url: `Observation?patient=${hidden.patient}` } },
        { request: { method: 'GET', url: `Observation?_id=${hidden.observation},${visible.observation}` } },
      ]),
    });
    expect(batch.status).toBe(200);
    const [hiddenRead, visibleRead, hiddenSearch, mixedSearch] = batch.body?.entry ?? [];
    expect(hiddenRead.response?.status).toBe('403 Forbidden');
    expect(hiddenRead.resource).toBeUndefined();
    expect(visibleRead.response?.status).toBe('200 OK');
    expect(visibleRead.resource?.id).toBe(visible.observation);
    expect(idsOf(hiddenSearch.resource as Bundle)).toEqual([]);
    expect(idsOf(mixedSearch.resource as Bundle)).toEqual([`Observation/${visible.observation}`]);
    expect((mixedSearch.resource as Bundle).total).toBeUndefined();
  });

  it('conditional updates and deletes, and bundle deletes, record the patients they touched', async () => {
    const updated = await call('PUT', `Observation?_id=${visible.observation}`, elsewhere, {
      body: { ...observation(visible.patient), id: visible.observation, status: 'amended' },
    });
    expect(updated.status).toBe(200);
    expect(await auditedPatientsOf(updated.correlation)).toEqual([visible.patient]);

    const first = await create(observation(visible.patient));
    const deleted = await call('DELETE', `Observation?_id=${first}`, elsewhere);
    expect(deleted.status).toBe(204);
    expect((await stored(`Observation/${first}`)).status).toBe(410);
    expect(await auditedPatientsOf(deleted.correlation)).toEqual([visible.patient]);

    const second = await create(observation(visible.patient));
    const batch = await call<Bundle>('POST', '', elsewhere, {
      body: bundle('batch', [{ request: { method: 'DELETE', url: `Observation/${second}` } }]),
    });
    expect(batch.body?.entry?.[0].response?.status).toBe('200 OK'); // deleted (a delete of nothing answers 204);
    expect(await auditedPatientsOf(batch.correlation)).toEqual([visible.patient]);

    // a refused attempt on the hidden record is findable under that patient
    const refused = await call('POST', '', elsewhere, {
      body: bundle('batch', [{ request: { method: 'DELETE', url: `Consent/${hidden.consent}` } }]),
    });
    expect(await auditedPatientsOf(refused.correlation)).toContain(hidden.patient);
  });
});
