import { testTokens } from '@continuum/security/testing/test-tokens';
import type { Bundle, OperationOutcome } from 'fhir/r4';
import { startApi, type RunningApi } from './support/api-app';
import { fhirHttp } from './support/fhir-http';

describe('security: rate limit per client (429), security headers, bundle entry limit', () => {
  const tokens = testTokens();
  let api: RunningApi;
  let http: ReturnType<typeof fhirHttp>;

  beforeAll(async () => {
    Object.assign(process.env, tokens.env, {
      RATE_LIMIT_PER_MINUTE: '60',
      RATE_LIMIT_BURST: '5',
      MAX_BUNDLE_ENTRIES: '2',
    });
    api = await startApi();
    http = fhirHttp(api.base);
  });
  afterAll(async () => {
    await api.close();
    delete process.env.RATE_LIMIT_PER_MINUTE;
    delete process.env.RATE_LIMIT_BURST;
    delete process.env.MAX_BUNDLE_ENTRIES;
  });

  it('a client over its rate gets 429 with Retry-After; another client is unaffected', async () => {
    const busy = await tokens.issue({ scope: 'system/*.rs', clientId: 'busy-client' });
    const calm = await tokens.issue({ scope: 'system/*.rs', clientId: 'calm-client' });
    const get = (token: string) =>
      http<OperationOutcome>('GET', 'Patient?_count=1', { headers: { authorization: `Bearer ${token}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get(busy)).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await get(busy);
    expect(limited.status).toBe(429);
    expect(limited.body?.issue[0].code).toBe('throttled');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get(calm)).status).toBe(200);
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
