import { randomUUID } from 'node:crypto';
import { testTokens } from '@continuum/security/testing/test-tokens';
import { FhirStore } from '@continuum/store';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { AuditEvent, Bundle, Observation, OperationOutcome, Patient } from 'fhir/r4';
import postgres from 'postgres';
import { FhirService } from '../../apps/api/src/fhir/fhir.service';
import { startApi, type RunningApi } from './support/api-app';
import { fhirHttp, type HttpAnswer } from './support/fhir-http';

/**
 * Issue #14, gap 5: every request gets an AuditEvent, refused ones included (401, 403, the undisclosed 404, 405,
 * 415, 5xx), naming the patient it concerned, so an auditor finds every refused access to a patient under that
 * patient; nothing is audited twice.
 */
describe('security: every request is audited once, refusals included, and findable by the patient concerned', () => {
  const tokens = testTokens();
  let api: RunningApi;
  let sql: postgres.Sql;
  let raw: ReturnType<typeof fhirHttp>;
  let admin: string;
  let auditor: string;
  let x: { patient: string; observation: string };
  let other: string;
  /** Correlation id → the status the refused request got. */
  const refused = new Map<string, number>();

  const call = async <T = OperationOutcome>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpAnswer<T> & { correlation: string }> => {
    const correlation = randomUUID();
    const answer = await raw<T>(method, path, {
      body: options.body,
      raw: options.raw,
      headers: {
        'x-correlation-id': correlation,
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
    });
    return { ...answer, correlation };
  };
  /** A request concerning patient X that must be refused (or fail) with `status`. */
  const refusedAccess = async (status: number, method: string, path: string, options = {}) => {
    const answer = await call(method, path, options);
    expect({ path, status: answer.status }).toEqual({ path, status });
    expect(answer.body?.resourceType).toBe('OperationOutcome');
    refused.set(answer.correlation, status);
    return answer;
  };
  const rowsOf = (correlation: string) =>
    sql<{ content: AuditEvent; patient_ids: string[] }[]>`
      SELECT a.content, a.patient_ids FROM audit_event a, jsonb_array_elements(a.content->'entity') e
      WHERE e->'type'->>'code' = 'XrequestId' AND e->'what'->'identifier'->>'value' = ${correlation}`;
  const trail = async (query: string) => {
    const events: AuditEvent[] = [];
    let next: string | undefined = `AuditEvent?${query}&_count=200`;
    while (next) {
      const page: HttpAnswer<Bundle> = await raw<Bundle>('GET', next, {
        headers: { authorization: `Bearer ${auditor}` },
      });
      expect(page.status).toBe(200);
      events.push(...(page.body?.entry ?? []).map((entry) => entry.resource as AuditEvent));
      next = page.body?.link?.find((link) => link.relation === 'next')?.url;
    }
    return events;
  };
  const correlationOf = (event: AuditEvent) =>
    event.entity?.find((entity) => entity.type?.code === 'XrequestId')?.what?.identifier?.value;

  beforeAll(async () => {
    // patient/ apps: four requests at once, then one a minute (the 429 below)
    Object.assign(process.env, tokens.env, {
      RATE_LIMIT_PATIENT_BURST: '4',
      RATE_LIMIT_PATIENT_PER_MINUTE: '1',
    });
    api = await startApi();
    raw = fhirHttp(api.base);
    sql = postgres(TEST_DATABASE_URL, { max: 2, onnotice: () => undefined });
    admin = await tokens.issue({ scope: 'system/*.cruds', clientId: 'etl' });
    auditor = await tokens.issue({ scope: 'user/AuditEvent.rs', role: 'auditor', clientId: 'audit-console' });
    const create = async (body: Patient | Observation) =>
      (await call<Patient>('POST', body.resourceType, { token: admin, body })).body?.id ?? '';
    const patient = await create({ resourceType: 'Patient', name: [{ family: `Xray${uniqueSuffix()}` }] });
    const observation = await create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'blood pressure' },
      subject: { reference: `Patient/${patient}` },
    });
    x = { patient, observation };
    other = await create({ resourceType: 'Patient', name: [{ family: `Yankee${uniqueSuffix()}` }] });
  });
  afterAll(async () => {
    delete process.env.RATE_LIMIT_PATIENT_BURST;
    delete process.env.RATE_LIMIT_PATIENT_PER_MINUTE;
    jest.restoreAllMocks();
    await sql.end({ timeout: 5 });
    await api.close();
  });

  it('401: no token, a forged or an expired one (the guard)', async () => {
    await refusedAccess(401, 'GET', `Patient/${x.patient}`);
    await refusedAccess(401, 'GET', `Observation/${x.observation}`, {
      token: await tokens.forged({ scope: 'system/*.rs' }),
    });
    await refusedAccess(401, 'GET', `Observation?patient=${x.patient}`, {
      token: await tokens.expired({ scope: 'system/*.rs' }),
    });
  });

  it('403: a scope that does not reach the type (the secured store), a token the guard refuses', async () => {
    const observationsOnly = await tokens.issue({ scope: 'user/Observation.rs', role: 'clinician' });
    await refusedAccess(403, 'GET', `Patient/${x.patient}`, { token: observationsOnly });
    const patientsOnly = await tokens.issue({ scope: 'user/Patient.rs', role: 'clinician' });
    await refusedAccess(403, 'GET', `Observation/${x.observation}`, { token: patientsOnly });
    const mixed = await tokens.issue({
      scope: 'user/*.rs system/*.rs',
      subject: 'mixed-up',
      role: 'clinician',
    });
    const answer = await refusedAccess(403, 'GET', `Patient/${x.patient}/_history`, { token: mixed });
    const [row] = await rowsOf(answer.correlation);
    expect(row.content.agent[0].who?.identifier?.value).toBe('mixed-up');
  });

  it('404: another patient’s resources, answered as absent', async () => {
    const stranger = await tokens.issue({ scope: 'launch/patient patient/*.rs', patient: other });
    await refusedAccess(404, 'GET', `Observation/${x.observation}`, { token: stranger });
    await refusedAccess(404, 'GET', `Observation/${x.observation}/_history/1`, { token: stranger });
    await refusedAccess(404, 'GET', `Patient/${x.patient}/$everything`, { token: stranger });
  });

  it('429: over the rate limit (the guard, after authentication)', async () => {
    const hasty = await tokens.issue({
      scope: 'launch/patient patient/*.rs',
      patient: other,
      clientId: 'hasty-app',
    });
    for (let i = 0; i < 4; i++) await refusedAccess(404, 'GET', `Patient/${x.patient}`, { token: hasty });
    const limited = await refusedAccess(429, 'GET', `Patient/${x.patient}`, { token: hasty });
    const [row] = await rowsOf(limited.correlation);
    expect(row.content.agent[1].who?.identifier?.value).toBe('hasty-app');
  });

  it('400: hostile input refused at the edge (a NUL byte, a prototype key)', async () => {
    await refusedAccess(400, 'GET', `Observation?patient=${x.patient}&code=%00`, { token: admin });
    await refusedAccess(400, 'POST', 'Observation', {
      token: admin,
      raw: JSON.stringify({
        resourceType: 'Observation',
        subject: { reference: `Patient/${x.patient}` },
      }).replace(/}$/, ',"__proto__":{}}'),
    });
  });

  it('405 and 415: refused by routing and by the body parser, before any data access', async () => {
    await refusedAccess(405, 'DELETE', `Patient/${x.patient}/_history`, { token: admin });
    await refusedAccess(415, 'PUT', `Patient/${x.patient}`, {
      token: admin,
      raw: 'family=Xray',
      headers: { 'content-type': 'text/plain' },
    });
  });

  it('500: a failure outside the secured store (audited at the edge) and inside it (audited once, there)', async () => {
    jest.spyOn(api.app.get(FhirService), 'read').mockRejectedValueOnce(new Error('injected fault'));
    const failed = await refusedAccess(500, 'GET', `Patient/${x.patient}`, { token: admin });
    // the caller learns the correlation id, never the error
    expect(failed.body?.issue[0].diagnostics).toBe(
      `Internal error; quote correlation id ${failed.correlation} when reporting it`,
    );
    jest.spyOn(api.app.get(FhirStore), 'read').mockRejectedValueOnce(new Error('injected fault'));
    await refusedAccess(500, 'GET', `Observation/${x.observation}`, { token: admin });
  });

  it('each refused request has exactly one AuditEvent, refused (4) or failed (8), naming patient X', async () => {
    for (const [correlation, status] of refused) {
      const rows = await rowsOf(correlation);
      const everything = status === 404 && rows[0]?.content.subtype?.[0].code === 'operation';
      if (!everything) expect({ correlation, rows: rows.length }).toEqual({ correlation, rows: 1 });
      for (const row of rows) {
        expect(row.content.outcome).toBe(status >= 500 ? '8' : '4');
        expect(row.patient_ids).toContain(x.patient);
        expect(row.content.outcomeDesc).toMatch(new RegExp(`^${status} `));
      }
    }
  });

  it('an auditor finds every refused access to X by patient=X and by entity=Patient/X', async () => {
    for (const query of [`patient=${x.patient}`, `entity=Patient/${x.patient}`]) {
      const events = await trail(query);
      const found = new Set(events.filter((event) => event.outcome !== '0').map(correlationOf));
      expect([...refused.keys()].filter((correlation) => !found.has(correlation))).toEqual([]);
    }
  });

  it('a successful request is audited once too, naming the patients its query names', async () => {
    const answer = await call<Bundle>('GET', `Observation?patient=${other}`, { token: admin });
    expect(answer.status).toBe(200);
    const rows = await rowsOf(answer.correlation);
    expect(rows).toHaveLength(1);
    expect(rows[0].patient_ids).toContain(other);
  });
});
