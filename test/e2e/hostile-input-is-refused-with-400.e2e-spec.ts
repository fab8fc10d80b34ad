import { randomUUID } from 'node:crypto';
import { testTokens } from '@continuum/security/testing/test-tokens';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { AuditEvent, Bundle, OperationOutcome } from 'fhir/r4';
import postgres from 'postgres';
import { startApi, type RunningApi } from './support/api-app';

/**
 * Issue #14, gap 6: hostile input answered 500 (a NUL byte in a path or a search value, JSON nested 5,000 levels, a
 * body with `constructor.prototype`) or was stored (a `__proto__` key). Each is now a 400 OperationOutcome naming
 * the problem, before anything parses it further, and audited like any refusal.
 */
describe('hostile input is refused with a 400 naming the problem, never a 500', () => {
  const tokens = testTokens();
  let api: RunningApi;
  let sql: postgres.Sql;
  let authorization: string;
  const marker = `urn:continuum:hostile:${uniqueSuffix()}`;

  const send = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const correlation = randomUUID();
    const response = await fetch(`${api.base}/${path}`, {
      method,
      headers: {
        authorization,
        'x-correlation-id': correlation,
        ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
        ...headers,
      },
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      outcome: (text ? JSON.parse(text) : undefined) as OperationOutcome,
      correlation,
    };
  };
  const patient = (members: string) =>
    `{"resourceType":"Patient","identifier":[{"system":"${marker}","value":"x"}],${members}}`;

  beforeAll(async () => {
    Object.assign(process.env, tokens.env);
    api = await startApi();
    sql = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => undefined });
    authorization = `Bearer ${await tokens.issue({ scope: 'system/*.cruds', clientId: 'hostile-client' })}`;
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await api.close();
  });

  it.each([
    ['a NUL byte in the path', 'GET', 'Patient/%00', undefined, {}, /path holds a control character U\+0000/],
    [
      'a NUL byte in a resource type',
      'GET',
      'Pat%00ient',
      undefined,
      {},
      /path holds a control character U\+0000/,
    ],
    [
      'a NUL byte in a search value',
      'GET',
      'Patient?name=%00',
      undefined,
      {},
      /'name' holds a control character U\+0000/,
    ],
    ['a control character in a search value', 'GET', 'Patient?name=a%01b', undefined, {}, /U\+0001/],
    [
      'a NUL byte in a parameter name',
      'GET',
      'Patient?na%00me=x',
      undefined,
      {},
      /parameter name holds a control/,
    ],
    [
      'an over-long search value',
      'GET',
      `Patient?name=${'x'.repeat(9000)}`,
      undefined,
      {},
      /longer than 8192/,
    ],
    [
      'too many parameters',
      'GET',
      `Patient?${'_count=1&'.repeat(101)}`,
      undefined,
      {},
      /More than 100 search/,
    ],
    [
      'a NUL byte in If-None-Exist',
      'POST',
      'Patient',
      patient('"active":true'),
      { 'if-none-exist': 'name=%00' },
      /If-None-Exist criterion 'name'/,
    ],
    [
      'JSON nested 5,000 levels',
      'POST',
      'Patient',
      patient(`"a":${'['.repeat(5000)}${']'.repeat(5000)}`),
      {},
      /nested deeper than 100 levels/,
    ],
    [
      'a constructor.prototype key',
      'POST',
      'Patient',
      patient('"constructor":{"prototype":{"polluted":true}}'),
      {},
      /Key 'constructor' is not allowed/,
    ],
    [
      'a __proto__ key',
      'POST',
      'Patient',
      patient('"__proto__":{"polluted":true}'),
      {},
      /Key '__proto__' is not allowed/,
    ],
    [
      'a prototype key deep inside',
      'PUT',
      'Patient/hostile-1',
      patient('"id":"hostile-1","name":[{"prototype":{}}]'),
      {},
      /Key 'prototype'/,
    ],
    [
      'a NUL character in a string',
      'POST',
      'Patient',
      patient('"name":[{"family":"a\\u0000b"}]'),
      {},
      /string in the request body holds a control character U\+0000/,
    ],
    [
      'a lone surrogate in a string',
      'POST',
      'Patient',
      patient('"name":[{"family":"\\ud800"}]'),
      {},
      /lone surrogate U\+D800/,
    ],
    [
      'a JSON Patch into __proto__',
      'PATCH',
      'Patient/hostile-1',
      '[{"op":"add","path":"/__proto__/polluted","value":true}]',
      { 'content-type': 'application/json-patch+json' },
      /points into '__proto__'/,
    ],
    [
      'a form search with a NUL byte',
      'POST',
      'Patient/_search',
      'name=%00',
      { 'content-type': 'application/x-www-form-urlencoded' },
      /'name' holds a control character U\+0000/,
    ],
    [
      'a form search naming __proto__',
      'POST',
      'Patient/_search',
      '__proto__=x',
      { 'content-type': 'application/x-www-form-urlencoded' },
      /could pollute object prototypes/,
    ],
    [
      'a bundle entry URL with a NUL byte',
      'POST',
      '',
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'batch',
        entry: [{ request: { method: 'DELETE', url: 'Patient?name=%00' } }],
      }),
      {},
      /bundle entry parameter 'name'/,
    ],
    ['a POST to the base without a body', 'POST', '', undefined, {}, /takes a Bundle/],
  ])('%s: 400', async (_name, method, path, body, headers, diagnostics) => {
    const answer = await send(method, path, body, headers);
    expect(answer.status).toBe(400);
    expect(answer.outcome.resourceType).toBe('OperationOutcome');
    expect(answer.outcome.issue[0].code).toBe('invalid');
    expect(answer.outcome.issue[0].diagnostics).toMatch(diagnostics);
    // audited at the edge, once, with the caller the token names
    const rows = await sql<{ content: AuditEvent }[]>`
      SELECT a.content FROM audit_event a, jsonb_array_elements(a.content->'entity') e
      WHERE e->'type'->>'code' = 'XrequestId' AND e->'what'->'identifier'->>'value' = ${answer.correlation}`;
    expect(rows).toHaveLength(1);
    expect(rows[0].content.outcome).toBe('4');
    expect(rows[0].content.agent[1]?.who?.identifier?.value).toBe('hostile-client');
  });

  it('nothing was stored, and no prototype in the server was polluted', async () => {
    const found = await fetch(`${api.base}/Patient?identifier=${encodeURIComponent(`${marker}|`)}`, {
      headers: { authorization },
    });
    expect(((await found.json()) as Bundle).entry ?? []).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
