import { randomUUID } from 'node:crypto';
import { testTokens } from '@continuum/security/testing/test-tokens';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { AuditEvent, Bundle, Observation, OperationOutcome, Patient } from 'fhir/r4';
import postgres from 'postgres';
import { startApi, type RunningApi } from './support/api-app';
import { fhirHttp, type HttpAnswer, idsOf } from './support/fhir-http';

describe('security: authentication, SMART scopes and patient/ confinement, every access audited', () => {
  const tokens = testTokens();
  let api: RunningApi;
  let sql: postgres.Sql;
  let raw: ReturnType<typeof fhirHttp>;
  const correlations: string[] = [];
  const system = `urn:continuum:e2e-security:${uniqueSuffix()}`;
  let admin: string;
  let mine: string;
  let ids: { p1: string; p2: string; o1: string; o2: string };

  /** Every call carries its own correlation id, so its AuditEvent can be found afterwards. */
  const call = <T = Patient>(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<HttpAnswer<T>> => {
    const correlation = randomUUID();
    correlations.push(correlation);
    return raw<T>(method, path, {
      body,
      headers: { 'x-correlation-id': correlation, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  };
  const patient = (family: string): Patient => ({
    resourceType: 'Patient',
    identifier: [{ system, value: family }],
    name: [{ family }],
  });
  const observation = (patientId: string): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'heart rate' },
    subject: { reference: `Patient/${patientId}` },
  });

  beforeAll(async () => {
    Object.assign(process.env, tokens.env);
    api = await startApi();
    raw = fhirHttp(api.base);
    sql = postgres(TEST_DATABASE_URL, { max: 2, onnotice: () => undefined });
    admin = await tokens.issue({ scope: 'system/*.cruds', clientId: 'etl' });
    const create = async (body: Patient | Observation) =>
      (await call<Patient>('POST', body.resourceType, admin, body)).body?.id ?? '';
    const p1 = await create(patient(`Alpha${uniqueSuffix()}`));
    const p2 = await create(patient(`Bravo${uniqueSuffix()}`));
    ids = { p1, p2, o1: await create(observation(p1)), o2: await create(observation(p2)) };
    mine = await tokens.issue({ scope: 'launch/patient patient/*.rs', patient: p1, clientId: 'patient-app' });
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await api.close();
  });

  const expectRefused = (answer: HttpAnswer<OperationOutcome>, status: number, text: RegExp) => {
    expect(answer.status).toBe(status);
    expect(answer.body?.resourceType).toBe('OperationOutcome');
    expect(answer.body?.issue[0].diagnostics).toMatch(text);
  };

  it('metadata and health need no token', async () => {
    expect((await raw('GET', 'metadata')).status).toBe(200);
    expect((await fetch(api.base.replace('/fhir', '/health/live'))).status).toBe(200);
  });

  it('no token: 401 OperationOutcome with WWW-Authenticate', async () => {
    const answer = await call<OperationOutcome>('GET', `Patient/${ids.p1}`);
    expectRefused(answer, 401, /bearer access token is required/);
    expect(answer.body?.issue[0].code).toBe('login');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="continuum"/);
  });

  it.each([
    ['expired', () => tokens.expired({ scope: 'system/*.rs' }), /expired/],
    ['for another audience', () => tokens.otherAudience({ scope: 'system/*.rs' }), /aud claim/],
    ['with a forged signature', () => tokens.forged({ scope: 'system/*.rs' }), /signature is invalid/],
    ['with alg none', () => Promise.resolve(tokens.unsigned({ scope: 'system/*.rs' })), /algorithm|invalid/],
    ['signed HS256 with the public key as secret', () => tokens.hmac({ scope: 'system/*.rs' }), /algorithm/],
    ['that is not a JWT', () => Promise.resolve('not-a-token'), /invalid/],
  ])('a token %s: 401', async (_name, make, reason) => {
    const answer = await call<OperationOutcome>('GET', `Patient/${ids.p1}`, await make());
    expectRefused(answer, 401, reason);
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('a token without the right scope: 403', async () => {
    const observationsOnly = await tokens.issue({ scope: 'patient/Observation.rs', patient: ids.p1 });
    expectRefused(
      await call<OperationOutcome>('GET', `Patient/${ids.p1}`, observationsOnly),
      403,
      /do not allow read on Patient/,
    );
    expectRefused(
      await call<OperationOutcome>('POST', 'Observation', observationsOnly, observation(ids.p1)),
      403,
      /create/,
    );
    const noRole = await tokens.issue({ scope: 'user/*.rs' });
    expectRefused(await call<OperationOutcome>('GET', 'Observation', noRole), 403, /role claim/);
  });

  it('patient/ token, read: its own record yes, another patient’s is absent (404)', async () => {
    expect((await call('GET', `Patient/${ids.p1}`, mine)).status).toBe(200);
    expect((await call('GET', `Observation/${ids.o1}`, mine)).status).toBe(200);
    expect((await call('GET', `Patient/${ids.p2}`, mine)).status).toBe(404);
    expect((await call('GET', `Observation/${ids.o2}`, mine)).status).toBe(404);
    expect((await call('GET', `Observation/${ids.o2}/_history/1`, mine)).status).toBe(404);
  });

  it('patient/ token, search: another patient’s data never matches', async () => {
    expect(idsOf((await call<Bundle>('GET', `Observation?patient=${ids.p2}`, mine)).body)).toEqual([]);
    expect(idsOf((await call<Bundle>('GET', `Patient?identifier=${system}|`, mine)).body)).toEqual([
      `Patient/${ids.p1}`,
    ]);
    const all = idsOf((await call<Bundle>('GET', `Observation?code:text=heart`, mine)).body);
    expect(all).toContain(`Observation/${ids.o1}`);
    expect(all).not.toContain(`Observation/${ids.o2}`);
  });

  it('patient/ token, chaining: another patient’s name finds nothing', async () => {
    const p2 = (await call<Patient>('GET', `Patient/${ids.p2}`, admin)).body;
    const family = p2?.name?.[0].family ?? '';
    expect(
      idsOf((await call<Bundle>('GET', `Observation?subject:Patient.family=${family}`, mine)).body),
    ).toEqual([]);
    expect(
      idsOf((await call<Bundle>('GET', `Observation?subject:Patient.family=${family}`, admin)).body),
    ).toEqual([`Observation/${ids.o2}`]);
  });

  it('patient/ token, _include and _revinclude stay in its compartment', async () => {
    const included = (
      await call<Bundle>('GET', `Observation?code:text=heart&_include=Observation:subject`, mine)
    ).body;
    expect(idsOf(included)).not.toContain(`Patient/${ids.p2}`);
    expect(idsOf(included)).toContain(`Patient/${ids.p1}`);
    const rev = (
      await call<Bundle>('GET', `Patient?_id=${ids.p1},${ids.p2}&_revinclude=Observation:subject`, mine)
    ).body;
    expect(idsOf(rev).sort()).toEqual([`Observation/${ids.o1}`, `Patient/${ids.p1}`].sort());
  });

  it('patient/ token, $everything and history: another patient’s are refused or empty', async () => {
    expect((await call('GET', `Patient/${ids.p2}/$everything`, mine)).status).toBe(404);
    const everything = idsOf((await call<Bundle>('GET', `Patient/${ids.p1}/$everything`, mine)).body);
    expect(everything).toContain(`Observation/${ids.o1}`);
    expect(everything).not.toContain(`Observation/${ids.o2}`);
    const history = (await call<Bundle>('GET', `Observation/${ids.o2}/_history`, mine)).body;
    expect(history?.entry ?? []).toEqual([]);
    const typeHistory = (await call<Bundle>('GET', `Observation/_history?_count=1000`, mine)).body;
    expect((typeHistory?.entry ?? []).map((e) => e.resource?.id)).not.toContain(ids.o2);
  });

  it('patient/ token, writes: not into another patient’s record', async () => {
    const writer = await tokens.issue({ scope: 'patient/Observation.cruds', patient: ids.p1 });
    expect((await call('POST', 'Observation', writer, observation(ids.p2))).status).toBe(403);
    expect((await call('DELETE', `Observation/${ids.o2}`, writer)).status).toBe(404);
    expect((await call('POST', 'Observation', writer, observation(ids.p1))).status).toBe(201);
  });

  it('every access above has an AuditEvent; auditors search them, nobody changes them', async () => {
    const rows = await sql<{ correlation: string }[]>`
      SELECT e->'what'->'identifier'->>'value' AS correlation
      FROM audit_event, jsonb_array_elements(content->'entity') e
      WHERE e->'type'->>'code' = 'XrequestId' AND e->'what'->'identifier'->>'value' = ANY(${correlations}::text[])`;
    const audited = new Set(rows.map((row) => row.correlation));
    expect(correlations.filter((c) => !audited.has(c))).toEqual([]);

    const auditor = await tokens.issue({
      scope: 'user/AuditEvent.rs',
      role: 'auditor',
      clientId: 'audit-console',
    });
    const trail = (await call<Bundle>('GET', `AuditEvent?patient=${ids.p2}&_count=200`, auditor)).body;
    const events = (trail?.entry ?? []).map((entry) => entry.resource as AuditEvent);
    expect(
      events.some(
        (event) => event.outcome === '4' && event.agent[1]?.who?.identifier?.value === 'patient-app',
      ),
    ).toBe(true);
    expect((await call('GET', `AuditEvent/${events[0].id}`, auditor)).status).toBe(200);
    expect((await call('DELETE', `AuditEvent/${events[0].id}`, auditor)).status).toBe(403);
    expect((await call('GET', `AuditEvent?patient=${ids.p2}`, admin)).status).toBe(403);
  });
});
