import { CONFIDENTIALITY_SYSTEM, isRestrictedRecord, parseSearchRequest } from '@continuum/fhir';
import type { RelatedPerson } from 'fhir/r4';
import type postgres from 'postgres';
import type { FhirStore } from '../fhir-store';
import { openTestStore, token } from '../testing/test-store';
import { RestrictedPersonQueries } from './restricted-person.queries';
import { aLocatablePatient, linkAsOnePerson, RESTRICTED_META } from './testing/restricted-people';

describe('restricted (S-flag) people in the store', () => {
  let sql: postgres.Sql;
  let store: FhirStore;
  let close: () => Promise<void>;
  let queries: RestrictedPersonQueries;
  const t = token();
  const postcode = `T${t.toUpperCase()}`;
  const ids = {
    pds: `pds-${t}`,
    gp: `gp-${t}`,
    neighbour: `neighbour-${t}`,
    alone: `alone-${t}`,
    relative: `relative-${t}`,
  };
  const search = async (query: string) => {
    const request = parseSearchRequest(query.split('?')[0], [...new URLSearchParams(query.split('?')[1])]);
    const result = await store.search({ ...request, total: 'accurate' });
    return { ids: result.matches.map((found) => found.id).sort(), total: result.total };
  };

  beforeAll(async () => {
    ({ sql, store, close } = await openTestStore());
    queries = new RestrictedPersonQueries(sql);
    await store.update(aLocatablePatient(ids.pds, { restricted: true, postcode }), {
      sourceSystem: 'X26:PDS',
    });
    await store.update(aLocatablePatient(ids.gp, { postcode }), { sourceSystem: 'Y12345:EMIS-Web' });
    await store.update(aLocatablePatient(ids.neighbour, { postcode, family: 'Neighbour' }));
    await store.update(aLocatablePatient(ids.alone, { postcode }));
    const relative: RelatedPerson = {
      resourceType: 'RelatedPerson',
      id: ids.relative,
      patient: { reference: `Patient/${ids.gp}` },
      address: [{ postalCode: postcode }],
    };
    await store.update(relative);
    await linkAsOnePerson(sql, [ids.pds, ids.gp]);
  });
  afterAll(() => close());

  it('flags in SQL exactly the records libs/fhir calls restricted', async () => {
    const metas = ['R', 'V', 'N', 'U'].map((code) => ({
      security: [{ system: CONFIDENTIALITY_SYSTEM, code }],
    }));
    for (const meta of [...metas, {}, { security: [{ system: 'https://other', code: 'R' }] }]) {
      const [row] = await sql<{ flagged: boolean }[]>`
        SELECT restricted_flagged(${sql.json({ resourceType: 'Patient', meta })}::jsonb) AS flagged`;
      expect(row.flagged).toBe(isRestrictedRecord({ meta }));
    }
  });

  it('takes a person as restricted when any linked record is flagged, and only that person', async () => {
    const restricted = await queries.restrictedAmong(Object.values(ids));
    expect([...restricted].sort()).toEqual([ids.gp, ids.pds].sort());
  });

  it('never returns a restricted person, by any of their records, to an address, postcode, GP or telecom search', async () => {
    expect((await search(`Patient?address-postalcode=${postcode}`)).ids).toEqual(
      [ids.neighbour, ids.alone].sort(),
    );
    expect((await search(`Patient?address-postalcode=${postcode}`)).total).toBe(2);
    expect((await search(`Patient?address=Leeds&address-postalcode=${postcode}`)).ids).toEqual(
      [ids.neighbour, ids.alone].sort(),
    );
    expect(
      (await search(`Patient?general-practitioner=Organization/Y12345&_id=${ids.gp},${ids.alone}`)).ids,
    ).toEqual([ids.alone]);
    expect((await search(`Patient?phone=0113 496 0000&_id=${ids.pds},${ids.neighbour}`)).ids).toEqual([
      ids.neighbour,
    ]);
    expect((await search(`RelatedPerson?address-postalcode=${postcode}`)).ids).toEqual([]);
  });

  it('still finds them by name or identifier, and reached through a chain by postcode never', async () => {
    expect((await search(`Patient?_id=${ids.pds},${ids.gp}&family=Hidden`)).ids).toEqual(
      [ids.gp, ids.pds].sort(),
    );
    expect((await search(`RelatedPerson?patient.address-postalcode=${postcode}`)).ids).toEqual([]);
  });

  it('writes outbox rows for the person’s other records when a record becomes restricted, and when it stops being', async () => {
    const other = { patient: `other-${t}`, flagged: `flagged-${t}` };
    await store.update(aLocatablePatient(other.patient));
    await store.update(aLocatablePatient(other.flagged));
    await linkAsOnePerson(sql, [other.patient, other.flagged]);
    const reannounced = async () =>
      (
        await sql<{ id: string }[]>`SELECT id FROM resource_change
          WHERE request_id = 'restricted-person' AND id = ANY(${Object.values(other)}) ORDER BY seq`
      ).map((row) => row.id);
    const before = await reannounced();
    expect(before).toEqual([]);

    const flagged = { ...aLocatablePatient(other.flagged), meta: RESTRICTED_META };
    await store.update(flagged);
    expect((await reannounced()).sort()).toEqual([other.flagged, other.patient].sort());

    await store.update(aLocatablePatient(other.flagged));
    expect((await reannounced()).filter((id) => id === other.patient)).toHaveLength(2);
    expect(await queries.restrictedAmong([other.patient])).toEqual(new Set());
  });

  it('writes outbox rows when a link joins a restricted record to a person, and when it takes it away', async () => {
    const joined = { gp: `joined-gp-${t}`, pds: `joined-pds-${t}` };
    await store.update(aLocatablePatient(joined.gp));
    await store.update(aLocatablePatient(joined.pds, { restricted: true }));
    const person = await linkAsOnePerson(sql, [joined.gp]);
    const gpAnnounced = async () =>
      (
        await sql<{ n: string }[]>`SELECT count(*) AS n FROM resource_change
          WHERE request_id = 'restricted-person' AND id = ${joined.gp}`
      )[0].n;
    expect(await gpAnnounced()).toBe('0');
    await sql`INSERT INTO identity_link (patient_id, person_id, state, origin, version)
      VALUES (${joined.pds}, ${person}, 'MATCH', 'MANUAL', 1)`;
    expect(await gpAnnounced()).toBe('1');
    expect(await queries.restrictedAmong([joined.gp])).toEqual(new Set([joined.gp]));
    await sql`UPDATE identity_link SET state = 'NO_MATCH' WHERE patient_id = ${joined.pds}`;
    expect(await gpAnnounced()).toBe('2');
    expect(await queries.restrictedAmong([joined.gp])).toEqual(new Set());
  });
});
