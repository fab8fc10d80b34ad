import { aNationalDataOptOut, anObjection } from '@continuum/fhir/consent/testing/consent-builders';
import { type ConsentRestriction, parseSearchRequest } from '@continuum/fhir';
import type { Bundle, Consent, FhirResource, List, Observation, Patient } from 'fhir/r4';
import type postgres from 'postgres';
import type { FhirStore } from '../fhir-store';
import { openTestStore, token } from '../testing/test-store';
import { ConsentDirectiveWriter } from './consent-directive.writer';
import { ConsentQueries } from './consent.queries';

const objection = (patient: string, permitted: string[], period?: Consent['provision']): Consent =>
  anObjection(patient, { permitted, provision: period });
const optOut = aNationalDataOptOut;
/** What the consent rules (libs/security) give a clinician at RX1 and an analyst. */
const clinicianAt = (organisation: string): ConsentRestriction => ({
  at: new Date(),
  hiding: [{ kind: 'sharing-objection', unlessPermits: organisation }],
});
const analyst = (): ConsentRestriction => ({ at: new Date(), hiding: [{ kind: 'data-opt-out' }] });

/**
 * The SQL pieces of consent filtering: directives follow Consent writes in the same transaction, and a restriction
 * leaves hidden patients out of matches, totals, `_summary=count`, page sizes, includes, chains, `_has` and history.
 */
describe('searches leave out the patients consent hides, in SQL', () => {
  let sql: postgres.Sql;
  let close: () => Promise<void>;
  let store: FhirStore;
  let queries: ConsentQueries;
  const s = token();
  const code = `consent-sql-${s}`;
  const people = { objector: '', optedOut: '', plain: '' };
  let objectionId = '';
  let practitioner = '';
  let list = '';

  const write = async <T extends FhirResource>(resource: T) => (await store.create(resource)).id;
  const search = (type: string, query: string, consent?: ConsentRestriction) =>
    store.search(parseSearchRequest(type, new URLSearchParams(query)), { consent });
  const ids = async (type: string, query: string, consent?: ConsentRestriction) =>
    (await search(type, query, consent)).matches.map((found) => found.id).sort();

  beforeAll(async () => {
    ({ sql, store, close } = await openTestStore());
    queries = new ConsentQueries(sql);
    for (const person of Object.keys(people) as (keyof typeof people)[]) {
      people[person] = await write<Patient>({
        resourceType: 'Patient',
        identifier: [{ system: `urn:consent-sql:${s}`, value: person }],
      });
      for (let i = 0; i < 3; i++)
        await write<Observation>({
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'urn:consent-sql', code }] },
          subject: { reference: `Patient/${people[person]}` },
        });
    }
    // shared resources that lead to the objector's record only: a performer, and a list that points at a result
    practitioner = await write({ resourceType: 'Practitioner', name: [{ family: `Consent${s}` }] });
    const performed = await write<Observation>({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'urn:consent-sql', code: `${code}-performed` }] },
      subject: { reference: `Patient/${people.objector}` },
      performer: [{ reference: `Practitioner/${practitioner}` }],
    });
    list = await write<List>({
      resourceType: 'List',
      status: 'current',
      mode: 'working',
      entry: [{ item: { reference: `Observation/${performed}` } }],
    });
    objectionId = await write(objection(people.objector, ['RR8']));
    await write(optOut(people.optedOut));
  });
  afterAll(() => close());

  it('keeps each Consent’s directives with its writes: created, changed, deleted', async () => {
    const rows = () =>
      sql<{ kind: string; permitted_organisations: string[] }[]>`
        SELECT d.kind, d.permitted_organisations FROM consent_directive d
        JOIN resource r ON r.resource_type = 'Consent' AND r.resource_key = d.consent_key
        WHERE d.patient_id = ${people.plain}`;
    const id = await write(objection(people.plain, ['A1']));
    expect(await rows()).toEqual([{ kind: 'sharing-objection', permitted_organisations: ['A1'] }]);
    await store.update({ ...objection(people.plain, ['A1']), id, status: 'inactive' });
    expect(await rows()).toEqual([]);
    await store.update({ ...objection(people.plain, ['A2']), id });
    expect(await rows()).toEqual([{ kind: 'sharing-objection', permitted_organisations: ['A2'] }]);
    await store.delete('Consent', id);
    expect(await rows()).toEqual([]);
  });

  it('rebuilds the directives of Consents stored before the table existed (consent:rebuild)', async () => {
    const [{ resource_key: key }] = await sql<{ resource_key: string }[]>`
      SELECT resource_key FROM resource WHERE resource_type = 'Consent' AND id = ${objectionId}`;
    await sql`DELETE FROM consent_directive WHERE consent_key = ${key}::bigint`;
    expect(await queries.hiddenAmong([people.objector], clinicianAt('RX1'))).toEqual(new Set());
    const rebuilt = await new ConsentDirectiveWriter().rebuild(sql, {
      after: String(BigInt(key) - 1n),
      batchSize: 2,
    });
    expect(rebuilt).toBeGreaterThanOrEqual(1);
    expect(await queries.hiddenAmong([people.objector], clinicianAt('RX1'))).toEqual(
      new Set([people.objector]),
    );
  });

  it('judges a directive by kind, permitted organisation and period', async () => {
    const all = Object.values(people);
    expect(await queries.hiddenAmong(all, clinicianAt('RX1'))).toEqual(new Set([people.objector]));
    expect(await queries.hiddenAmong(all, clinicianAt('RR8'))).toEqual(new Set());
    expect(await queries.hiddenAmong(all, analyst())).toEqual(new Set([people.optedOut]));
    const lapsed = token();
    const patient = await write<Patient>({ resourceType: 'Patient', id: lapsed } as Patient);
    await write(objection(patient, [], { period: { end: '2020-01-01' } }));
    await write(objection(patient, [], { period: { start: '2999-01-01' } }));
    expect(await queries.hiddenAmong([patient], clinicianAt('RX1'))).toEqual(new Set());
    const inForce = { ...clinicianAt('RX1'), at: new Date('2019-06-01') };
    expect(await queries.hiddenAmong([patient], inForce)).toEqual(new Set([patient]));
  });

  it('counts only what the caller may see: _total=accurate and _summary=count', async () => {
    const total = async (query: string, consent?: ConsentRestriction) =>
      (await search('Observation', query, consent)).total;
    expect(await total(`code=${code}&_summary=count`)).toBe(9);
    expect(await total(`code=${code}&_summary=count`, clinicianAt('RX1'))).toBe(6);
    expect(await total(`code=${code}&_count=0&_total=accurate`, clinicianAt('RX1'))).toBe(6);
    expect(await total(`code=${code}&_summary=count`, clinicianAt('RR8'))).toBe(9);
    expect(await total(`code=${code}&_summary=count`, analyst())).toBe(6);
    // the oracle of issue #14: a hidden patient's diagnosis counted by _id and _has
    expect(
      (
        await search(
          'Patient',
          `_id=${people.objector}&_has:Observation:subject:code=${code}&_summary=count`,
          clinicianAt('RX1'),
        )
      ).total,
    ).toBe(0);
  });

  it('fills a page of _count=N when N visible results exist', async () => {
    const page = await search('Observation', `code=${code}&_count=6`, clinicianAt('RX1'));
    expect(page.matches).toHaveLength(6);
    expect(page.next).toBeUndefined();
    expect(page.matches.every((found) => !found.compartments?.includes(people.objector))).toBe(true);
    const first = await search('Observation', `code=${code}&_count=4`, analyst());
    expect(first.matches).toHaveLength(4);
    expect(first.next).toBeDefined();
  });

  it('leaves hidden patients out of includes, _revinclude, chains and _has', async () => {
    const included = await search(
      'Patient',
      `identifier=urn:consent-sql:${s}|&_revinclude=Observation:subject`,
      clinicianAt('RX1'),
    );
    expect(included.matches.map((found) => found.id).sort()).toEqual([people.optedOut, people.plain].sort());
    expect(included.included).toHaveLength(6);
    const forward = await search('Observation', `code=${code}&_include=Observation:subject`, analyst());
    expect(forward.included.map((found) => found.id).sort()).toEqual([people.objector, people.plain].sort());
    // what a chain or _has reaches must be visible too: shared resources do not lead into a hidden record
    const performedBy = `_id=${practitioner}&_has:Observation:performer:code=${code}-performed`;
    expect(await ids('Practitioner', performedBy)).toEqual([practitioner]);
    expect(await ids('Practitioner', performedBy, clinicianAt('RX1'))).toEqual([]);
    const listed = `_id=${list}&item:Observation.code=${code}-performed`;
    expect(await ids('List', listed)).toEqual([list]);
    expect(await ids('List', listed, clinicianAt('RX1'))).toEqual([]);
    expect(await ids('Patient', `_has:Observation:subject:code=${code}`, analyst())).toEqual(
      [people.objector, people.plain].sort(),
    );
  });

  it('leaves hidden patients’ versions out of history, in SQL', async () => {
    const history: Bundle = await store.history(
      { resourceType: 'Consent', id: objectionId },
      { consent: clinicianAt('RX1') },
    );
    expect(history.entry ?? []).toEqual([]);
    const own = await store.history(
      { resourceType: 'Consent', id: objectionId },
      { consent: clinicianAt('RR8') },
    );
    expect(own.entry).toHaveLength(1);
  });
});
