import { testTokens } from '@continuum/security/testing/test-tokens';
import type { Bundle, OperationOutcome } from 'fhir/r4';
import { startApi, type RunningApi } from './support/api-app';
import { fhirHttp } from './support/fhir-http';

describe('security: rate limit per client and class of token (429), security headers, bundle entry limit', () => {
  const tokens = testTokens();
  let api: RunningApi;
  let http: ReturnType<typeof fhirHttp>;

  beforeAll(async () => {
    Object.assign(process.env, tokens.env, {
      RATE_LIMIT_SYSTEM_PER_MINUTE: '600',
      RATE_LIMIT_SYSTEM_BURST: '20',
      RATE_LIMIT_USER_PER_MINUTE: '6',
      RATE_LIMIT_USER_BURST: '5',
      RATE_LIMIT_PATIENT_PER_MINUTE: '6',
      RATE_LIMIT_PATIENT_BURST: '3',
      RATE_LIMIT_REFUSED_PER_MINUTE: '6',
      RATE_LIMIT_REFUSED_BURST: '3',
      MAX_BUNDLE_ENTRIES: '2',
    });
    api = await startApi();
    http = fhirHttp(api.base);
  });
  afterAll(async () => {
    await api.close();
    for (const name of Object.keys(process.env).filter((key) => key.startsWith('RATE_LIMIT_')))
      delete process.env[name];
    delete process.env.MAX_BUNDLE_ENTRIES;
  });

  const get = (token: string) =>
    http<OperationOutcome>('GET', 'Patient?_count=1', { headers: { authorization: `Bearer ${token}` } });
  const statuses = async (token: string, count: number) => {
    const seen: number[] = [];
    for (let i = 0; i < count; i++) seen.push((await get(token)).status);
    return seen;
  };

  it('a client over its rate gets 429 with Retry-After; another client is unaffected', async () => {
    const busy = await tokens.issue({ scope: 'user/*.rs', role: 'clinician', clientId: 'busy-client' });
    const calm = await tokens.issue({ scope: 'user/*.rs', role: 'clinician', clientId: 'calm-client' });
    expect(await statuses(busy, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await get(busy);
    expect(limited.status).toBe(429);
    expect(limited.body?.issue[0].code).toBe('throttled');
    expect(limited.body?.issue[0].diagnostics).toMatch(/user\/ tokens: 6 a minute/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get(calm)).status).toBe(200);
  });

  it('each class of token has its own rate: a system/ client carries more than a clinician, a patient app less', async () => {
    const etl = await tokens.issue({ scope: 'system/*.rs', clientId: 'etl-reader' });
    expect((await statuses(etl, 12)).every((status) => status === 200)).toBe(true);
    const app = await tokens.issue({
      scope: 'launch/patient patient/*.rs',
      patient: 'p-rate',
      clientId: 'pt-app',
    });
    expect(await statuses(app, 4)).toEqual([200, 200, 200, 429]);
    // the same client id with a token of another class draws on that class's bucket
    const sameClientAsUser = await tokens.issue({
      scope: 'user/*.rs',
      role: 'clinician',
      clientId: 'pt-app',
    });
    expect((await get(sameClientAsUser)).status).toBe(200);
  });

  it('callers refused at authentication are limited per address: guessing tokens is slowed', async () => {
    const guesses: number[] = [];
    for (let i = 0; i < 4; i++)
      guesses.push(
        (await http('GET', 'Patient', { headers: { authorization: `Bearer guess-${i}` } })).status,
      );
    expect(guesses).toEqual([401, 401, 401, 429]);
    // a valid token from the same address is not held back by the refused ones
    const good = await tokens.issue({ scope: 'system/*.rs', clientId: 'honest-client' });
    expect((await get(good)).status).toBe(200);
  });

  it('answers carry the security headers, public ones included', async () => {
    const answer = await http('GET', 'metadata');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(answer.headers.get('strict-transport-security')).toContain('max-age=');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('x-powered-by')).toBeNull();
  });

  it('a bundle with more entries than allowed is refused whole (413)', async () => {
    const writer = await tokens.issue({ scope: 'system/*.cruds', clientId: 'bundle-client' });
    const entry = { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [entry, entry, entry],
    } as Bundle;
    const answer = await http<OperationOutcome>('POST', '', {
      body: bundle,
      headers: { authorization: `Bearer ${writer}` },
    });
    expect(answer.status).toBe(413);
    expect(answer.body?.issue[0].diagnostics).toMatch(/at most 2 entries/);
  });
});
