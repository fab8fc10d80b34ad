import { parseSearchRequest } from '@continuum/fhir';
import type { Encounter, FhirResource, Organization, Patient } from 'fhir/r4';
import postgres from 'postgres';
import { ResourceSearcher } from './resource-searcher';
import { analyzeSearchTables, storeResources, suffix, TEST_DATABASE_URL } from './testing/search-fixture';

/**
 * Issue #15: a search of one type's whole population with several parameters checks them together on the index
 * tables' keys (`keysMeetingAll`) before it reads any resource row; each parameter used to be an EXISTS on the row.
 * The answers must be those the row-by-row composition gives: the same search inside a compartment that holds every
 * patient of the test takes that route, so each query below is asked both ways and compared, totals and pages included.
 */
describe('several filters of a whole-population search are composed on keys, with the same answers', () => {
  const statements: string[] = [];
  const sql = postgres(TEST_DATABASE_URL, {
    max: 2,
    onnotice: () => undefined,
    types: { bigint: { to: 20, from: [20], serialize: (v: string) => v, parse: (v: string) => v } },
    debug: (_connection, text) => statements.push(text),
  });
  const searcher = new ResourceSearcher(sql);
  const s = suffix();
  const patients = ['p0', 'p1', 'p2', 'p3'].map((id) => `${id}-${s}`);
  const organisations = ['trust', 'practice', 'council'].map((id) => `${id}-${s}`);
  const system = `urn:keys:${s}`;

  const organisation = (id: string, name: string): Organization => ({
    resourceType: 'Organization',
    id,
    name,
  });
  const patient = (id: string, family: string): Patient => ({
    resourceType: 'Patient',
    id,
    name: [{ family }],
  });
  /** 60 encounters over the patients, providers, months, classes and statuses; some with two types, some with none. */
  const encounters: Encounter[] = Array.from({ length: 60 }, (_, n) => ({
    resourceType: 'Encounter',
    id: `e${n}-${s}`,
    status: (['finished', 'cancelled', 'in-progress'] as const)[n % 3],
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: n % 4 === 0 ? 'IMP' : 'AMB' },
    type:
      n % 5 === 0
        ? undefined
        : [
            { coding: [{ system, code: `t${n % 3}` }] },
            ...(n % 2 === 0 ? [{ coding: [{ system, code: `t${(n + 1) % 3}` }] }] : []),
          ],
    subject: { reference: `Patient/${patients[n % patients.length]}` },
    serviceProvider: n % 7 === 6 ? undefined : { reference: `Organization/${organisations[n % 3]}` },
    period: ((start) => ({ start: `${start}T10:00:00Z`, end: `${start}T11:30:00Z` }))(
      `2025-${String(9 + (n % 3)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`,
    ),
  }));

  /** The matches' ids in order, the total, and whether the statement composed the filters on keys. */
  const ask = async (query: string, everyone: boolean) => {
    statements.length = 0;
    const request = parseSearchRequest('Encounter', new URLSearchParams(`${query}&_total=accurate`));
    const ids: string[] = [];
    let total: number | undefined;
    let cursor: string | undefined;
    let onKeys = false;
    do {
      const page = await searcher.search(
        cursor ? { ...request, cursor } : request,
        everyone ? { compartment: { patientIds: patients } } : {},
      );
      ids.push(...page.matches.map((found) => found.id.replace(`-${s}`, '')));
      total ??= page.total;
      onKeys ||= statements.some((text) => /resource_key = ANY\(ARRAY\(SELECT/.test(text));
      cursor = page.next;
    } while (cursor);
    return { ids, total, onKeys };
  };

  beforeAll(async () => {
    await storeResources(sql, [
      organisation(organisations[0], `Acute Trust ${s}`),
      organisation(organisations[1], `Practice ${s}`),
      organisation(organisations[2], `Council ${s}`),
      ...patients.map((id, n) => patient(id, n % 2 ? `Odd${s}` : `Even${s}`)),
      ...encounters,
    ] as FhirResource[]);
    await analyzeSearchTables(sql);
  });
  afterAll(() => sql.end());

  const org = (n: number) => `Organization/${organisations[n]}`;
  const queries: [string, () => string][] = [
    ['provider and month', () => `service-provider=${org(0)}&date=2025-09`],
    [
      'providers (any of two) and a date range',
      () => `service-provider=${org(0)},${org(1)}&date=ge2025-10&date=lt2025-12`,
    ],
    ['three tokens and a year', () => `class=AMB&status=finished&type=${system}|t1&date=2025`],
    ['a type twice (both must hold: no duplicate rows)', () => `type=${system}|t0&type=${system}|t1`],
    [
      'types of two values each and a provider',
      () => `type=${system}|t0,${system}|t2&service-provider=${org(2)}`,
    ],
    [
      'a provider and a chain to the patient',
      () => `service-provider=${org(1)}&subject:Patient.family=Odd${s}`,
    ],
    ['a chain to the provider and a month', () => `service-provider.name=Acute Trust ${s}&date=2025-09`],
    [
      'key filters with row filters (:not, :missing, _id)',
      () =>
        `service-provider=${org(0)}&date=ge2025-09&status:not=cancelled&type:missing=false&_id=${encounters
          .slice(0, 40)
          .map((e) => e.id)
          .join(',')}`,
    ],
    [
      'key filters with an absence (:missing=true)',
      () => `status=finished&type=${system}|t0,${system}|t1&service-provider:missing=true`,
    ],
    [
      'sorted by date descending, paged by 4',
      () => `type=${system}|t1&date=ge2025-09&_sort=-date,_id&_count=4`,
    ],
    ['nothing matches both', () => `service-provider=${org(2)}&date=2024`],
  ];

  it.each(queries)('%s', async (name, query) => {
    const composed = await ask(query(), false);
    const rowByRow = await ask(query(), true);
    if (name !== 'nothing matches both') expect(rowByRow.ids.length).toBeGreaterThan(0);
    expect(composed.onKeys).toBe(true);
    expect(rowByRow.onKeys).toBe(false);
    expect(composed.ids).toEqual(rowByRow.ids);
    expect(composed.total).toBe(rowByRow.ids.length);
    expect(rowByRow.total).toBe(rowByRow.ids.length);
  });

  it('finds what the data says for the organisation-wide encounter search', async () => {
    const expected = encounters
      .filter((e) => e.serviceProvider?.reference === org(0) && e.period?.start?.startsWith('2025-09'))
      .map((e) => e.id!.replace(`-${s}`, ''));
    expect(expected.length).toBeGreaterThan(2);
    const found = await ask(`service-provider=${org(0)}&date=2025-09`, false);
    expect([...found.ids].sort()).toEqual([...expected].sort());
  });

  it('when even the most selective parameter is common (matches are dense) it keeps its EXISTS on the row', async () => {
    const dense = new ResourceSearcher(sql, { maxKeysComposed: 0 });
    statements.length = 0;
    const request = parseSearchRequest(
      'Encounter',
      new URLSearchParams(`service-provider=${org(0)}&date=2025-09&_count=100`),
    );
    const found = await dense.search(request, {});
    expect(statements.some((text) => /resource_key = ANY\(ARRAY\(SELECT/.test(text))).toBe(false);
    expect(found.matches.map((match) => match.id)).toEqual(
      (await searcher.search(request, {})).matches.map((match) => match.id),
    );
  });

  it('one filter alone, or a search inside a compartment, keeps its EXISTS on the row', async () => {
    expect((await ask(`date=2025-09`, false)).onKeys).toBe(false);
    expect((await ask(`service-provider=${org(0)}&date=2025-09`, true)).onKeys).toBe(false);
  });
});
