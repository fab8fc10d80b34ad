import { uniqueSuffix } from '@continuum/testing';
import type { Bundle, Observation, Patient } from 'fhir/r4';
import { startApiAsSystem, type AuthorisedApi } from './support/api-app';
import { fhirHttp, idsOf, linkOf, type FhirHttp } from './support/fhir-http';

describe('FHIR search over HTTP: paging links, totals, POST _search, transaction and batch', () => {
  let api: AuthorisedApi;
  let http: FhirHttp;
  const code = `e2e-${uniqueSuffix()}`;
  const system = 'urn:continuum:e2e:codes';
  let patientId = '';

  const anObservation = (i: number): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system, code }] },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: `2025-01-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
    valueQuantity: { value: i, unit: 'mmol/L' },
  });

  beforeAll(async () => {
    api = await startApiAsSystem();
    http = fhirHttp(api.base, { authorization: api.authorization });
    patientId =
      (await http<Patient>('POST', 'Patient', { body: { resourceType: 'Patient' } })).body?.id ?? '';
    for (let i = 0; i < 12; i++) await http('POST', 'Observation', { body: anObservation(i) });
  });
  afterAll(() => api.close());

  it('pages to the end with next links, back with previous links, with an accurate total', async () => {
    const first = await http<Bundle>('GET', `Observation?code=${system}|${code}&_count=5&_total=accurate`);
    expect(first.body?.total).toBe(12);
    expect(linkOf(first.body, 'self')).toContain(`${api.base}/Observation?`);
    expect(linkOf(first.body, 'previous')).toBeUndefined();
    const pages = [first.body];
    for (let url = linkOf(first.body, 'next'); url;) {
      const page = (await http<Bundle>('GET', url)).body;
      pages.push(page);
      url = linkOf(page, 'next');
    }
    expect(pages.map((page) => page?.entry?.length)).toEqual([5, 5, 2]);
    expect(new Set(pages.flatMap(idsOf)).size).toBe(12);
    const backToSecond = (await http<Bundle>('GET', linkOf(pages[2], 'previous') ?? '')).body;
    expect(idsOf(backToSecond)).toEqual(idsOf(pages[1]));
    const backToFirst = (await http<Bundle>('GET', linkOf(pages[1], 'previous') ?? '')).body;
    expect(idsOf(backToFirst)).toEqual(idsOf(pages[0]));
  });

  it('keeps paging correct while data changes: no match skipped or repeated', async () => {
    const query = `Observation?code=${system}|${code}&_count=4&_sort=date`;
    const first = (await http<Bundle>('GET', query)).body;
    // Rows are inserted before and after the cursor and one already seen is deleted while the client pages.
    await http('POST', 'Observation', {
      body: { ...anObservation(0), effectiveDateTime: '2000-01-01T00:00:00Z' },
    });
    await http('DELETE', `Observation/${first?.entry?.[0].resource?.id ?? ''}`);
    const seen = idsOf(first);
    for (let url = linkOf(first, 'next'); url;) {
      const page = (await http<Bundle>('GET', url)).body;
      seen.push(...idsOf(page));
      url = linkOf(page, 'next');
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(12);
  });

  it('searches by POST _search with a form body, as GET does', async () => {
    const response = await fetch(`${api.base}/Observation/_search`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/fhir+json',
        authorization: api.authorization,
      },
      body: new URLSearchParams({ code: `${system}|${code}`, _summary: 'count' }).toString(),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Bundle).total).toBeGreaterThanOrEqual(12);
  });

  it('includes referenced resources and reports ignored parameters as a warning entry', async () => {
    const bundle = (
      await http<Bundle>(
        'GET',
        `Observation?code=${system}|${code}&_count=1&_include=Observation:subject&bogus=1`,
      )
    ).body;
    const modes = bundle?.entry?.map((e) => e.search?.mode);
    expect(modes).toEqual(['match', 'include', 'outcome']);
  });

  it('runs a transaction at the base atomically, resolving urn:uuid references', async () => {
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:0b7c3b56-0000-4000-8000-000000000001',
          resource: { resourceType: 'Patient', gender: 'female' },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: {
            ...anObservation(1),
            subject: { reference: 'urn:uuid:0b7c3b56-0000-4000-8000-000000000001' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const answer = await http<Bundle>('POST', '', { body: transaction });
    expect(answer.status).toBe(200);
    expect(answer.body?.type).toBe('transaction-response');
    const [patient, observation] = answer.body?.entry ?? [];
    expect(patient.response?.status).toMatch(/^201/);
    const stored = await http<Observation>(
      'GET',
      observation.response?.location?.replace(/\/_history\/\d+$/, '') ?? '',
    );
    expect(stored.body?.subject?.reference).toMatch(/^Patient\//);

    const failing: Bundle = {
      ...transaction,
      entry: [
        ...(transaction.entry ?? []),
        {
          resource: { resourceType: 'Patient', birthDate: 'not-a-date' },
          request: { method: 'POST', url: 'Patient' },
        },
      ],
    };
    expect((await http('POST', '', { body: failing })).status).toBeGreaterThanOrEqual(400);
  });

  it('runs a batch at the base, each entry on its own', async () => {
    const batch: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: `Patient/${patientId}` } },
        { request: { method: 'GET', url: `Patient/${uniqueSuffix()}` } },
      ],
    };
    const answer = await http<Bundle>('POST', '', { body: batch });
    expect(answer.body?.type).toBe('batch-response');
    expect(answer.body?.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(['200', '404']);
  });
});
