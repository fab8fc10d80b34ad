import { randomUUID } from 'node:crypto';
import { CONSENT_CATEGORY_SYSTEM, NATIONAL_DATA_OPT_OUT, SCOPE_SYSTEM } from '@continuum/security';
import { testTokens } from '@continuum/security/testing/test-tokens';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { AuditEvent, Bundle, Consent, Observation, OperationOutcome, Patient } from 'fhir/r4';
import postgres from 'postgres';
import { startApi, type RunningApi } from './support/api-app';
import { fhirHttp, idsOf } from './support/fhir-http';

const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';

describe('security: consent — an objection hides the record from other organisations, break-glass is audited, opt-out removes from secondary use', () => {
  const tokens = testTokens();
  let api: RunningApi;
  let sql: postgres.Sql;
  let raw: ReturnType<typeof fhirHttp>;
  const system = `urn:continuum:e2e-consent:${uniqueSuffix()}`;
  const people: Record<'objector' | 'optedOut' | 'other', { patient: string; observation: string }> = {
    objector: { patient: '', observation: '' },
    optedOut: { patient: '', observation: '' },
    other: { patient: '', observation: '' },
  };
  let admin: string;
  let clinicianElsewhere: string;
  let clinicianAtHome: string;
  let analyst: string;

  const call = async <T = Patient>(
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
    const answer = await call('POST', body.resourceType, admin, { body });
    if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
    return answer.body?.id ?? '';
  };
  const consent = (patient: string, overrides: Partial<Consent>): Consent => ({
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: `Patient/${patient}` },
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
    provision: { type: 'deny' },
    ...overrides,
  });
  const auditOf = async (correlation: string) => {
    const [row] = await sql<{ content: AuditEvent }[]>`
      SELECT content FROM audit_event, jsonb_array_elements(content->'entity') e
      WHERE e->'what'->'identifier'->>'value' = ${correlation}`;
    return row?.content;
  };

  beforeAll(async () => {
    Object.assign(process.env, tokens.env);
    api = await startApi();
    raw = fhirHttp(api.base);
    sql = postgres(TEST_DATABASE_URL, { max: 2, onnotice: () => undefined });
    admin = await tokens.issue({ scope: 'system/*.cruds', clientId: 'etl' });
    clinicianElsewhere = await tokens.issue({
      scope: 'user/*.cruds',
      role: 'clinician',
      organisation: 'RX1',
      subject: 'dr-elsewhere',
    });
    clinicianAtHome = await tokens.issue({
      scope: 'user/*.rs',
      role: 'clinician',
      organisation: 'RR8',
      subject: 'dr-home',
    });
    analyst = await tokens.issue({ scope: 'user/*.rs', role: 'analyst', subject: 'analyst-1' });
    for (const person of Object.values(people)) {
      person.patient = await create({
        resourceType: 'Patient',
        identifier: [{ system, value: randomUUID() }],
      });
      person.observation = await create({
        resourceType: 'Observation',
        status: 'final',
        code: { text: `consent-${system}` },
        subject: { reference: `Patient/${person.patient}` },
      });
    }
    await create(
      consent(people.optedOut.patient, {
        scope: { coding: [{ system: SCOPE_SYSTEM, code: 'research' }] },
        category: [{ coding: [{ system: CONSENT_CATEGORY_SYSTEM, code: NATIONAL_DATA_OPT_OUT }] }],
      }),
    );
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await api.close();
  });

  it('an objection takes effect at once: another organisation’s clinician no longer sees the record', async () => {
    const { objector } = people;
    expect((await call('GET', `Patient/${objector.patient}`, clinicianElsewhere)).status).toBe(200);
    await create(
      consent(objector.patient, { organization: [{ identifier: { system: ODS, value: 'RR8' } }] }),
    );

    const read = await call<OperationOutcome>('GET', `Patient/${objector.patient}`, clinicianElsewhere);
    expect(read.status).toBe(403);
    expect(read.body?.issue[0].diagnostics).toMatch(/objected to sharing.*X-Break-Glass-Reason/);
    expect((await call('GET', `Observation/${objector.observation}`, clinicianElsewhere)).status).toBe(403);
    const search = (await call<Bundle>('GET', `Observation?patient=${objector.patient}`, clinicianElsewhere))
      .body;
    expect(idsOf(search)).toEqual([]);
    // left out in the search's own SQL: nothing in the answer says that anything was hidden
    expect(search?.entry ?? []).toEqual([]);
    expect((await call('GET', `Patient/${objector.patient}/$everything`, clinicianElsewhere)).status).toBe(
      403,
    );
    const refused = await auditOf(read.correlation);
    expect(refused?.outcome).toBe('4');
  });

  it('the organisation the objection names, and the patient, still see it', async () => {
    const { objector } = people;
    expect((await call('GET', `Patient/${objector.patient}`, clinicianAtHome)).status).toBe(200);
    const own = await tokens.issue({ scope: 'patient/*.rs', patient: objector.patient });
    expect((await call('GET', `Observation/${objector.observation}`, own)).status).toBe(200);
  });

  it('break-glass with a reason shows it, and the AuditEvent flags it with the reason', async () => {
    const { objector } = people;
    const headers = { 'x-break-glass-reason': 'Unconscious in ED, no other history available' };
    const read = await call('GET', `Patient/${objector.patient}`, clinicianElsewhere, { headers });
    expect(read.status).toBe(200);
    const search = await call<Bundle>('GET', `Observation?patient=${objector.patient}`, clinicianElsewhere, {
      headers,
    });
    expect(idsOf(search.body)).toEqual([`Observation/${objector.observation}`]);
    const event = await auditOf(read.correlation);
    expect(event?.outcome).toBe('0');
    expect(event?.purposeOfEvent?.map((p) => p.coding?.[0].code)).toEqual(['ETREAT', 'BTG']);
    expect(event?.agent[0].purposeOfUse?.find((p) => p.coding?.[0].code === 'BTG')?.text).toBe(
      headers['x-break-glass-reason'],
    );
    expect(event?.agent[0].who?.identifier?.value).toBe('dr-elsewhere');
    expect(event?.entity?.some((e) => e.what?.reference === `Patient/${objector.patient}`)).toBe(true);
  });

  it('only clinicians can break the glass', async () => {
    const headers = { 'x-break-glass-reason': 'curious' };
    expect((await call('GET', `Patient/${people.objector.patient}`, analyst, { headers })).status).toBe(403);
  });

  it('an opted-out patient is absent from analysts’ extracts, but not from direct care', async () => {
    const { optedOut, other } = people;
    const patients = idsOf(
      (await call<Bundle>('GET', `Patient?identifier=${system}|&_count=50`, analyst)).body,
    );
    expect(patients).toContain(`Patient/${other.patient}`);
    expect(patients).not.toContain(`Patient/${optedOut.patient}`);
    const observations = idsOf(
      (await call<Bundle>('GET', `Observation?code:text=consent-${system}&_count=50`, analyst)).body,
    );
    expect(observations).toContain(`Observation/${other.observation}`);
    expect(observations).not.toContain(`Observation/${optedOut.observation}`);
    expect((await call('GET', `Patient/${optedOut.patient}`, analyst)).status).toBe(403);
    const research = await tokens.issue({
      scope: 'system/*.rs',
      purposeOfUse: 'HRESCH',
      clientId: 'research-extract',
    });
    expect(idsOf((await call<Bundle>('GET', `Patient?identifier=${system}|`, research)).body)).not.toContain(
      `Patient/${optedOut.patient}`,
    );
    expect((await call('GET', `Patient/${optedOut.patient}`, clinicianAtHome)).status).toBe(200);
  });
});
