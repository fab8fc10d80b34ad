import { gunzipSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import { uniqueSuffix } from '@continuum/testing';
import type { CapabilityStatement, OperationOutcome } from 'fhir/r4';
import { startApiAsSystem, type AuthorisedApi } from './support/api-app';
import { fhirHttp, type FhirHttp } from './support/fhir-http';

/** A raw GET that asks for gzip (fetch would decode it silently). */
function getGzipped(url: string): Promise<{ encoding?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpRequest(
      url,
      { headers: { 'accept-encoding': 'gzip', accept: 'application/fhir+json' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }),
        );
      },
    )
      .on('error', reject)
      .end();
  });
}

describe('FHIR over HTTP: formats, media types and errors as OperationOutcomes', () => {
  let api: AuthorisedApi;
  let http: FhirHttp;

  beforeAll(async () => {
    api = await startApiAsSystem();
    http = fhirHttp(api.base, { authorization: api.authorization });
  });
  afterAll(() => api.close());

  const expectOutcome = (
    answer: { status: number; body?: unknown; headers: Headers },
    status: number,
    code: string,
  ) => {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toContain('application/fhir+json');
    const outcome = answer.body as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0].code).toBe(code);
    expect(JSON.stringify(outcome)).not.toMatch(/\s+at \S+ \(/); // no stack trace
  };

  it('serves a CapabilityStatement at /metadata and an OpenAPI description at /openapi.json', async () => {
    const metadata = await http<CapabilityStatement>('GET', 'metadata');
    expect(metadata.status).toBe(200);
    expect(metadata.body?.fhirVersion).toBe('4.0.1');
    expect(metadata.body?.implementation?.url).toBe(api.base);
    const openApi = await fetch(`${api.base}/openapi.json`);
    expect(openApi.status).toBe(200);
    expect(((await openApi.json()) as { openapi: string }).openapi).toBe('3.0.3');
  });

  it('answers XML requests (Accept or _format) with 406', async () => {
    expectOutcome(
      await http('GET', 'metadata', { headers: { accept: 'application/fhir+xml' } }),
      406,
      'not-supported',
    );
    expectOutcome(await http('GET', 'Patient?_format=xml'), 406, 'not-supported');
    expect((await http('GET', 'metadata?_format=json')).status).toBe(200);
    expect((await http('GET', 'metadata', { headers: { accept: 'text/html,*/*;q=0.8' } })).status).toBe(200);
  });

  it('refuses bodies in other media types with 415 and malformed JSON with 400', async () => {
    const text = await http('POST', 'Patient', { raw: 'hello', headers: { 'content-type': 'text/plain' } });
    expectOutcome(text, 415, 'not-supported');
    const xml = await http('POST', 'Patient', {
      raw: '<Patient/>',
      headers: { 'content-type': 'application/fhir+xml' },
    });
    expectOutcome(xml, 415, 'not-supported');
    expectOutcome(await http('POST', 'Patient', { raw: '{"resourceType":' }), 400, 'invalid');
  });

  it('accepts application/json as well as application/fhir+json', async () => {
    const created = await http('POST', 'Patient', {
      body: { resourceType: 'Patient', gender: 'male' },
      headers: { 'content-type': 'application/json' },
    });
    expect(created.status).toBe(201);
    // Larger than Express's default 100 KB JSON limit: the FHIR module's own parser and limit apply, not Express's.
    const large = await http('POST', 'Patient', {
      body: {
        resourceType: 'Patient',
        text: { status: 'generated', div: `<div>${'x'.repeat(300 * 1024)}</div>` },
      },
      headers: { 'content-type': 'application/json' },
    });
    expect(large.status).toBe(201);
  });

  it('refuses a body over the limit with 413', async () => {
    const huge = {
      resourceType: 'Patient',
      text: { status: 'generated', div: `<div>${'x'.repeat(11 * 1024 * 1024)}</div>` },
    };
    expectOutcome(await http('POST', 'Patient', { body: huge }), 413, 'too-costly');
  });

  it('answers unknown types 404, unsupported methods 405, invalid resources 422, bad parameters 400', async () => {
    expectOutcome(await http('GET', 'NotAType/1'), 404, 'not-found');
    expectOutcome(await http('GET', `Patient/${uniqueSuffix()}`), 404, 'not-found');
    expectOutcome(
      await http('POST', 'Patient/123', { body: { resourceType: 'Patient' } }),
      405,
      'not-supported',
    );
    const invalid = await http<OperationOutcome>('POST', 'Patient', {
      body: { resourceType: 'Patient', gender: 'sometimes' },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body?.resourceType).toBe('OperationOutcome');
    expectOutcome(await http('POST', 'Patient', { body: { resourceType: 'Observation' } }), 400, 'invalid');
    expectOutcome(await http('GET', 'Observation?date=notadate'), 400, 'invalid');
    expectOutcome(
      await http('GET', 'Patient?unknown-param=1', { headers: { prefer: 'handling=strict' } }),
      400,
      'invalid',
    );
  });

  it('pretty-prints with _pretty=true', async () => {
    const response = await fetch(`${api.base}/metadata?_pretty=true`);
    expect(await response.text()).toMatch(/^\{\n {2}"resourceType"/);
  });

  it('gzips responses when the client accepts it', async () => {
    const { encoding, body } = await getGzipped(`${api.base}/metadata`);
    expect(encoding).toBe('gzip');
    expect((JSON.parse(gunzipSync(body).toString('utf8')) as CapabilityStatement).resourceType).toBe(
      'CapabilityStatement',
    );
  });

  it('keeps /health outside the FHIR base', async () => {
    const live = await fetch(api.base.replace(/\/fhir$/, '/health/live'));
    expect(live.status).toBe(200);
  });

  it('reports readiness of Postgres, and of Elasticsearch for patient finding (PDQm) only; nothing of Kafka', async () => {
    const ready = await fetch(api.base.replace(/\/fhir$/, '/health'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'up',
      components: {
        postgres: { status: 'up', latencyMs: expect.any(Number) },
        elasticsearch: { status: 'up', latencyMs: expect.any(Number) },
      },
    });
  });
});
