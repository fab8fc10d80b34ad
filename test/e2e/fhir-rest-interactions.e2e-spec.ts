import { uniqueSuffix } from '@continuum/testing';
import type { Bundle, OperationOutcome, Patient } from 'fhir/r4';
import { startApiAsSystem, type AuthorisedApi } from './support/api-app';
import { fhirHttp, type FhirHttp } from './support/fhir-http';

describe('FHIR REST interactions over HTTP', () => {
  let api: AuthorisedApi;
  let http: FhirHttp;
  const system = `urn:continuum:e2e:${uniqueSuffix()}`;
  const aPatient = (value: string, family = 'Lovelace'): Patient => ({
    resourceType: 'Patient',
    identifier: [{ system, value }],
    name: [{ family, given: ['Ada'] }],
    gender: 'female',
  });

  beforeAll(async () => {
    api = await startApiAsSystem();
    http = fhirHttp(api.base, { authorization: api.authorization });
  });
  afterAll(() => api.close());

  it('create answers 201 with Location, ETag and Last-Modified; read and vread return it', async () => {
    const created = await http<Patient>('POST', 'Patient', { body: aPatient('create-1') });
    expect(created.status).toBe(201);
    const id = created.body?.id ?? '';
    expect(created.headers.get('location')).toBe(`${api.base}/Patient/${id}/_history/1`);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(new Date(created.headers.get('last-modified') ?? '').getTime()).not.toBeNaN();
    expect(created.headers.get('content-type')).toContain('application/fhir+json');

    const read = await http<Patient>('GET', `Patient/${id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(read.body?.identifier?.[0].value).toBe('create-1');
    expect((await http('GET', `Patient/${id}/_history/1`)).status).toBe(200);
    expect((await http('GET', `Patient/${id}/_history/2`)).status).toBe(404);
  });

  it('update with If-Match moves the version on; a stale If-Match is a 412', async () => {
    const { body } = await http<Patient>('POST', 'Patient', { body: aPatient('update-1') });
    const id = body?.id ?? '';
    const updated = await http<Patient>('PUT', `Patient/${id}`, {
      body: { ...aPatient('update-1', 'Byron'), id },
      headers: { 'if-match': 'W/"1"' },
    });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('W/"2"');
    expect(updated.body?.name?.[0].family).toBe('Byron');
    const stale = await http<OperationOutcome>('PUT', `Patient/${id}`, {
      body: { ...aPatient('update-1', 'Again'), id },
      headers: { 'if-match': 'W/"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body?.issue[0].code).toBe('conflict');
  });

  it('concurrent updates from the same version: one wins, the other gets 412', async () => {
    const { body } = await http<Patient>('POST', 'Patient', { body: aPatient('race-1') });
    const id = body?.id ?? '';
    const attempt = (family: string) =>
      http('PUT', `Patient/${id}`, {
        body: { ...aPatient('race-1', family), id },
        headers: { 'if-match': 'W/"1"' },
      });
    const statuses = (await Promise.all([attempt('First'), attempt('Second'), attempt('Third')])).map(
      (a) => a.status,
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(2);
    expect((await http('GET', `Patient/${id}`)).headers.get('etag')).toBe('W/"2"');
  });

  it('update to a new id creates it (201); the URL and body ids must agree (400)', async () => {
    const id = `e2e-${uniqueSuffix()}`;
    const created = await http('PUT', `Patient/${id}`, { body: { ...aPatient('put-create'), id } });
    expect(created.status).toBe(201);
    const mismatch = await http<OperationOutcome>('PUT', `Patient/${id}`, {
      body: { ...aPatient('x'), id: 'other' },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body?.issue[0].code).toBe('invalid');
  });

  it('patch applies a JSON Patch, honouring If-Match', async () => {
    const { body } = await http<Patient>('POST', 'Patient', { body: aPatient('patch-1') });
    const id = body?.id ?? '';
    const patch = [{ op: 'replace', path: '/gender', value: 'other' }];
    const patched = await http<Patient>('PATCH', `Patient/${id}`, {
      raw: JSON.stringify(patch),
      headers: { 'content-type': 'application/json-patch+json', 'if-match': 'W/"1"' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body?.gender).toBe('other');
    const stale = await http('PATCH', `Patient/${id}`, {
      raw: JSON.stringify(patch),
      headers: { 'content-type': 'application/json-patch+json', 'if-match': 'W/"1"' },
    });
    expect(stale.status).toBe(412);
  });

  it('a deleted resource reads 410 and stays in its history, the deletion included', async () => {
    const { body } = await http<Patient>('POST', 'Patient', { body: aPatient('delete-1') });
    const id = body?.id ?? '';
    expect((await http('DELETE', `Patient/${id}`)).status).toBe(204);
    const read = await http<OperationOutcome>('GET', `Patient/${id}`);
    expect(read.status).toBe(410);
    expect(read.body?.issue[0].code).toBe('deleted');
    const history = await http<Bundle>('GET', `Patient/${id}/_history`);
    expect(history.status).toBe(200);
    expect(history.body?.type).toBe('history');
    expect(history.body?.entry?.map((e) => e.request?.method)).toEqual(['DELETE', 'POST']);
    expect((await http('GET', `Patient/${id}/_history/1`)).status).toBe(200);
  });

  it('conditional create (If-None-Exist) creates once, then returns the match', async () => {
    const headers = { 'if-none-exist': `identifier=${system}|cond-1` };
    const first = await http<Patient>('POST', 'Patient', { body: aPatient('cond-1'), headers });
    const second = await http<Patient>('POST', 'Patient', { body: aPatient('cond-1'), headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body?.id).toBe(first.body?.id);
  });

  it('conditional update and conditional delete address the resource by search criteria', async () => {
    const criteria = `identifier=${encodeURIComponent(`${system}|cond-2`)}`;
    const created = await http<Patient>('PUT', `Patient?${criteria}`, { body: aPatient('cond-2') });
    expect(created.status).toBe(201);
    const updated = await http<Patient>('PUT', `Patient?${criteria}`, {
      body: aPatient('cond-2', 'Updated'),
    });
    expect(updated.status).toBe(200);
    expect(updated.body?.id).toBe(created.body?.id);
    expect((await http('DELETE', `Patient?${criteria}`)).status).toBe(204);
    expect((await http('GET', `Patient/${created.body?.id}`)).status).toBe(410);
  });

  it('Prefer: return=minimal answers no body, return=OperationOutcome an outcome', async () => {
    const minimal = await http('POST', 'Patient', {
      body: aPatient('prefer-1'),
      headers: { prefer: 'return=minimal' },
    });
    expect(minimal.status).toBe(201);
    expect(minimal.body).toBeUndefined();
    expect(minimal.headers.get('location')).toContain('/Patient/');
    const outcome = await http<OperationOutcome>('POST', 'Patient', {
      body: aPatient('prefer-2'),
      headers: { prefer: 'return=OperationOutcome' },
    });
    expect(outcome.status).toBe(201);
    expect(outcome.body?.resourceType).toBe('OperationOutcome');
    expect(outcome.body?.issue[0].severity).toBe('information');
  });

  it('a conditional read answers 304 for If-None-Match and If-Modified-Since when unchanged', async () => {
    const { body, headers } = await http<Patient>('POST', 'Patient', { body: aPatient('cread-1') });
    const id = body?.id ?? '';
    expect((await http('GET', `Patient/${id}`, { headers: { 'if-none-match': 'W/"1"' } })).status).toBe(304);
    expect((await http('GET', `Patient/${id}`, { headers: { 'if-none-match': 'W/"9"' } })).status).toBe(200);
    const lastModified = headers.get('last-modified') ?? '';
    expect(
      (await http('GET', `Patient/${id}`, { headers: { 'if-modified-since': lastModified } })).status,
    ).toBe(304);
    const before = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await http('GET', `Patient/${id}`, { headers: { 'if-modified-since': before } })).status).toBe(
      200,
    );
  });

  it('type and system history list versions newest first, paged', async () => {
    const { body } = await http<Patient>('POST', 'Patient', { body: aPatient('hist-1') });
    const typeHistory = await http<Bundle>('GET', 'Patient/_history?_count=5');
    expect(typeHistory.body?.type).toBe('history');
    expect(typeHistory.body?.entry?.length).toBeLessThanOrEqual(5);
    expect(typeHistory.body?.link?.some((l) => l.relation === 'next')).toBe(true);
    const since = new Date(Date.now() - 60_000).toISOString();
    const systemHistory = await http<Bundle>('GET', `_history?_since=${since}&_count=1000`);
    expect(systemHistory.body?.entry?.some((e) => e.resource?.id === body?.id)).toBe(true);
  });
});
