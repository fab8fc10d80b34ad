import { newCodeVerifier, s256ChallengeOf } from '@continuum/security';
import { createSql } from '@continuum/store';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type postgres from 'postgres';
import { type AuthorisedApi, startApiAsSystem } from './support/api-app';

const REDIRECT = 'http://127.0.0.1:8090/launch/smart/callback';

/**
 * SMART App Launch 2.x, EHR launch, against the real API and Postgres: discovery, launch registration by an EHR,
 * authorize with PKCE S256, the token with the patient, a token the API accepts and that reaches only that patient;
 * and each refusal (replayed launch and code, PKCE mismatch, wrong aud, plain PKCE, unknown client or redirect)
 * answered as OAuth says and audited.
 */
describe('SMART EHR launch: Continuum as the authorization server', () => {
  let api: AuthorisedApi;
  let origin: string;
  let sql: postgres.Sql;
  const tag = uniqueSuffix();
  const patientId = `smart-${tag}`;
  const otherId = `smart-other-${tag}`;
  const started = new Date();

  beforeAll(async () => {
    api = await startApiAsSystem({ SMART_CLIENTS: `continuum-portal=${REDIRECT}` });
    origin = new URL(api.base).origin;
    sql = createSql({
      url: TEST_DATABASE_URL,
      poolSize: 2,
      statementTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 60_000,
    });
    for (const id of [patientId, otherId])
      await fetch(`${api.base}/Patient/${id}`, {
        method: 'PUT',
        headers: { authorization: api.authorization, 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Patient', id, name: [{ family: 'Launch', given: ['Sam'] }] }),
      }).then((response) => expect(response.status).toBeLessThan(300));
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await api?.close();
  });

  async function registerLaunch(patient = patientId): Promise<string> {
    const response = await fetch(`${origin}/auth/launch`, {
      method: 'POST',
      headers: { authorization: api.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        user: 'dr-smart',
        name: 'Dr Smart',
        role: 'urgent-care',
        organisation: 'A81001',
        patient,
      }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { launch: string; expires_in: number };
    expect(body.expires_in).toBeGreaterThan(0);
    return body.launch;
  }

  function authorizeUrl(launch: string, verifier: string, change: Record<string, string | undefined> = {}) {
    const query = {
      response_type: 'code',
      client_id: 'continuum-portal',
      redirect_uri: REDIRECT,
      launch,
      scope: 'launch patient/*.rs',
      state: `state-${tag}`,
      aud: api.base,
      code_challenge: s256ChallengeOf(verifier),
      code_challenge_method: 'S256',
      ...change,
    };
    const url = new URL(`${origin}/auth/authorize`);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, value);
    return url.toString();
  }

  async function authorize(url: string): Promise<URL> {
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  }

  const token = (form: Record<string, string>) =>
    fetch(`${origin}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });

  const audited = async (pattern: string) =>
    (
      await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM audit_event
        WHERE recorded >= ${started} AND content->>'outcomeDesc' LIKE ${pattern}`
    )[0].n;

  it('publishes the SMART configuration at the FHIR base, and the endpoints in the CapabilityStatement', async () => {
    const response = await fetch(`${api.base}/.well-known/smart-configuration`);
    expect(response.status).toBe(200);
    const configuration = (await response.json()) as Record<string, unknown>;
    expect(configuration).toMatchObject({
      authorization_endpoint: `${origin}/auth/authorize`,
      token_endpoint: `${origin}/auth/token`,
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code'],
    });
    expect(configuration.capabilities).toEqual(
      expect.arrayContaining(['launch-ehr', 'context-ehr-patient', 'client-public', 'permission-v2']),
    );
    const metadata = await (await fetch(`${api.base}/metadata`)).json();
    expect(JSON.stringify(metadata.rest[0].security)).toContain(`${origin}/auth/token`);
  });

  it('the full EHR launch: the token names the patient, the API accepts it, and it reaches that patient only', async () => {
    const verifier = newCodeVerifier();
    const redirect = await authorize(authorizeUrl(await registerLaunch(), verifier));
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT);
    expect(redirect.searchParams.get('state')).toBe(`state-${tag}`);
    const code = redirect.searchParams.get('code')!;
    const response = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: 'continuum-portal',
      code_verifier: verifier,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const answer = (await response.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({
      token_type: 'Bearer',
      scope: 'launch patient/*.rs',
      patient: patientId,
      expires_in: 900,
    });
    const bearer = { authorization: `Bearer ${answer.access_token as string}` };
    expect((await fetch(`${api.base}/Patient/${patientId}`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${api.base}/Patient/${otherId}`, { headers: bearer })).status).toBe(404);
    expect(await audited('SMART access token issued to continuum-portal%')).toBeGreaterThanOrEqual(1);

    // the code is single use: a second exchange is refused, even with the right verifier
    const replay = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: 'continuum-portal',
      code_verifier: verifier,
    });
    expect(replay.status).toBe(400);
    await expect(replay.json()).resolves.toEqual({
      error: 'invalid_grant',
      error_description: 'The authorization code was used before (each is single use)',
    });
    expect(
      await audited('SMART token refused (invalid_grant): The authorization code was used before%'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('a verifier that does not answer the challenge is refused, and spends the code', async () => {
    const verifier = newCodeVerifier();
    const code = (await authorize(authorizeUrl(await registerLaunch(), verifier))).searchParams.get('code')!;
    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: 'continuum-portal',
    };
    const wrong = await token({ ...form, code_verifier: newCodeVerifier() });
    expect(wrong.status).toBe(400);
    await expect(wrong.json()).resolves.toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/PKCE/),
    });
    expect((await token({ ...form, code_verifier: verifier })).status).toBe(400);
    expect(
      await audited('SMART token refused (invalid_grant): code_verifier does not match%'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('a launch is single use: authorizing it again is sent back to the client as an error', async () => {
    const launch = await registerLaunch();
    await authorize(authorizeUrl(launch, newCodeVerifier()));
    const again = await authorize(authorizeUrl(launch, newCodeVerifier()));
    expect(again.searchParams.get('error')).toBe('invalid_request');
    expect(again.searchParams.get('error_description')).toBe(
      'The launch was used before (each is single use)',
    );
    expect(again.searchParams.get('state')).toBe(`state-${tag}`);
    expect(again.searchParams.get('code')).toBeNull();
  });

  it.each([
    ['another aud', { aud: 'https://elsewhere.example/fhir' }, /aud must be/],
    ['plain PKCE', { code_challenge_method: 'plain' }, /plain is not supported/],
  ])('%s is refused back to the client and audited', async (_, change, description) => {
    const redirect = await authorize(authorizeUrl(await registerLaunch(), newCodeVerifier(), change));
    expect(redirect.searchParams.get('error')).toBe('invalid_request');
    expect(redirect.searchParams.get('error_description')).toMatch(description);
    expect(await audited(`SMART authorize refused (invalid_request): %`)).toBeGreaterThanOrEqual(1);
  });

  it('an unknown client or redirect URI gets an OperationOutcome, never a redirect', async () => {
    for (const change of [{ client_id: 'evil' }, { redirect_uri: 'https://evil.example/cb' }]) {
      const response = await fetch(authorizeUrl('x', newCodeVerifier(), change), { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      await expect(response.json()).resolves.toMatchObject({ resourceType: 'OperationOutcome' });
    }
    expect(await audited('SMART authorize refused (invalid_client)%')).toBeGreaterThanOrEqual(1);
  });

  it('only an authenticated system client can register a launch, for a patient that exists', async () => {
    const body = JSON.stringify({ user: 'u', role: 'gp', organisation: 'A81001', patient: patientId });
    const headers = { 'content-type': 'application/json' };
    expect((await fetch(`${origin}/auth/launch`, { method: 'POST', headers, body })).status).toBe(401);
    const clinician = await api.issue({ scope: 'user/*.rs', role: 'clinician', subject: 'dr' });
    const asUser = await fetch(`${origin}/auth/launch`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${clinician}` },
      body,
    });
    expect(asUser.status).toBe(403);
    const missing = await fetch(`${origin}/auth/launch`, {
      method: 'POST',
      headers: { ...headers, authorization: api.authorization },
      body: JSON.stringify({ user: 'u', role: 'gp', organisation: 'A81001', patient: `nobody-${tag}` }),
    });
    expect(missing.status).toBe(404);
  });
});
