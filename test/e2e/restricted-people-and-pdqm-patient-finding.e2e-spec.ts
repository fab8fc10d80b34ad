import { anObjection } from '@continuum/fhir/consent/testing/consent-builders';
import { openSearchTestContext, type SearchTestContext } from '@continuum/search/testing/search-test-context';
import {
  aLocatablePatient,
  linkAsOnePerson,
  RESTRICTED_META,
} from '@continuum/store/restricted/testing/restricted-people';
import type { Bundle, OperationOutcome, Patient } from 'fhir/r4';
import { type AuthorisedApi, startApiAsSystem } from './support/api-app';
import { fhirHttp } from './support/fhir-http';

const SAME_PERSON = 'https://fhir.continuum.nhs.example/StructureDefinition/same-person';
const LOCATING = ['address', 'telecom', 'contact', 'generalPractitioner', 'text'];

/**
 * Issue #13, restricted (S-flag) people and PDQm. Records are written as ingest writes them (the plain store, then
 * the master patient index's links) and indexed as the indexer does (the outbox drained into Elasticsearch); the
 * API, over the same database and index prefix, serves them through the secured door.
 */
describe('restricted people and PDQm patient finding through the API', () => {
  let search: SearchTestContext;
  let api: AuthorisedApi;
  let call: ReturnType<typeof fhirHttp>;
  let s: string;
  const ids = {} as Record<'pds' | 'gp' | 'bobGp' | 'bobAcute' | 'roberta' | 'objector', string>;
  const family = () => `Quillfeather${s}`;
  const expectRedacted = (patient: Patient | undefined) => {
    expect(patient).toBeDefined();
    for (const element of LOCATING) expect(patient).not.toHaveProperty(element);
    expect(patient!.meta?.tag).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'REDACTED' })]),
    );
    expect(patient!.name).toBeDefined();
  };
  const patientsOf = (bundle: Bundle | undefined) =>
    (bundle?.entry ?? [])
      .filter((entry) => entry.resource?.resourceType === 'Patient')
      .map((entry) => entry.resource as Patient);

  beforeAll(async () => {
    search = await openSearchTestContext('pdqm-e2e');
    s = search.suffix.replace(/[^a-z]/g, '');
    api = await startApiAsSystem({
      DATABASE_URL: search.databaseUrl,
      ELASTICSEARCH_INDEX_PREFIX: search.naming.prefix,
    });
    call = fhirHttp(api.base, { authorization: api.authorization });
    const write = async (patient: Patient, sourceSystem: string) =>
      (await search.store.update(patient, { sourceSystem })).id;
    // the restricted person: PDS flags them, the GP record (another source) does not
    ids.pds = await write(
      { ...aLocatablePatient(`pds-${s}`, { family: family(), postcode: 'HX1 5QF' }), meta: RESTRICTED_META },
      'X26:PDS',
    );
    ids.gp = await write(
      aLocatablePatient(`gp-${s}`, { family: family(), postcode: 'HX1 5QF' }),
      'Y12345:EMIS-Web',
    );
    await linkAsOnePerson(search.sql, [ids.pds, ids.gp]);
    // an unrestricted person known to two sources, and someone with a similar name
    const robert = (id: string, given: string, birthDate: string): Patient => ({
      ...aLocatablePatient(id, { family: `Fairweather${s}`, postcode: 'LS6 2QT' }),
      name: [{ family: `Fairweather${s}`, given: [given] }],
      birthDate,
      gender: given === 'Roberta' ? 'female' : 'male',
    });
    ids.bobGp = await write(robert(`bob-gp-${s}`, 'Robert', '1961-03-14'), 'Y12345:EMIS-Web');
    ids.bobAcute = await write(robert(`bob-acute-${s}`, 'Rob', '1961-03-14'), 'RXX:PAS');
    ids.roberta = await write(robert(`roberta-${s}`, 'Roberta', '1963-07-02'), 'Y12345:EMIS-Web');
    await linkAsOnePerson(search.sql, [ids.bobGp, ids.bobAcute]);
    // someone who objects to sharing beyond their GP
    ids.objector = await write(
      aLocatablePatient(`objector-${s}`, { family: `Objector${s}` }),
      'Y12345:EMIS-Web',
    );
    await search.store.create(anObjection(ids.objector, { permitted: ['Y12345'] }));
    await search.drainOutbox();
  });
  afterAll(async () => {
    await api?.close();
    await search?.close();
  });

  describe('restricted (S-flag) people', () => {
    it('removes the GP record’s address, telecom and GP too when the PDS record of the same person is restricted', async () => {
      const read = await call<Patient>('GET', `Patient/${ids.gp}`);
      expect(read.status).toBe(200);
      expectRedacted(read.body);
      expect(read.body!.meta?.source).toContain('Y12345');
      expectRedacted((await call<Patient>('GET', `Patient/${ids.gp}/_history/1`)).body);
      expectRedacted((await call<Patient>('GET', `Patient/${ids.pds}`)).body);
    });

    it('redacts in searches, history, $everything and bundle responses alike', async () => {
      const searched = await call<Bundle>('GET', `Patient?_id=${ids.gp},${ids.pds},${ids.bobGp}`);
      const [gp, pds, bob] = [ids.gp, ids.pds, ids.bobGp].map((id) =>
        patientsOf(searched.body).find((p) => p.id === id),
      );
      expectRedacted(gp);
      expectRedacted(pds);
      expect(bob!.address).toBeDefined(); // an unrestricted person keeps theirs

      for (const entry of (await call<Bundle>('GET', `Patient/${ids.gp}/_history`)).body!.entry ?? [])
        expectRedacted(entry.resource as Patient);
      expectRedacted(patientsOf((await call<Bundle>('GET', `Patient/${ids.gp}/$everything`)).body)[0]);
      const batch = await call<Bundle>('POST', '', {
        body: {
          resourceType: 'Bundle',
          type: 'batch',
          entry: [{ request: { method: 'GET', url: `Patient/${ids.gp}` } }],
        },
      });
      expectRedacted(batch.body!.entry![0].resource as Patient);
    });

    it('never finds them by postcode, address, GP or phone, in Postgres or Elasticsearch', async () => {
      const bundle = await call<Bundle>(
        'GET',
        `Patient?address-postalcode=HX1 5QF&family=${family()}&_total=accurate`,
      );
      expect(bundle.body).toMatchObject({ total: 0 });
      const phone = await call<Bundle>(
        'GET',
        `Patient?phone=0113 496 0000&_id=${ids.gp},${ids.bobGp}&_total=accurate`,
      );
      expect(patientsOf(phone.body).map((p) => p.id)).toEqual([ids.bobGp]);
      const pdqm = await call<Bundle>(
        'GET',
        `Patient?_query=pdqm&family=${family()}&address-postalcode=HX1 5QF`,
      );
      expect(pdqm.body).toMatchObject({ total: 0 });
      const document = await search.client.get<Record<string, unknown>>({
        index: search.naming.readAlias('patient'),
        id: `Patient/${ids.gp}`,
      });
      expect(document._source).not.toHaveProperty('postcode');
      expect(document._source).toMatchObject({ restricted: true });
    });
  });

  describe('PDQm (Patient?_query=pdqm)', () => {
    it('finds a person by a misspelt family name and a nickname, grouped: the person’s records together, naming the person', async () => {
      const answer = await call<Bundle>(
        'GET',
        `Patient?_query=pdqm&family=Fairwether${s}&given=Bob&birthdate=1961-03-14&gender=male`,
      );
      expect(answer.status).toBe(200);
      const entries = answer.body!.entry!;
      expect(
        entries
          .slice(0, 2)
          .map((entry) => entry.resource!.id)
          .sort(),
      ).toEqual([ids.bobAcute, ids.bobGp].sort());
      const lead = entries[0].resource!.id;
      for (const entry of entries.slice(0, 2)) {
        expect(entry.extension).toEqual([
          { url: SAME_PERSON, valueReference: { reference: `Patient/${lead}` } },
        ]);
        expect(entry.search).toMatchObject({ mode: 'match', score: 1 });
      }
      expect(entries[2]?.resource?.id).toBe(ids.roberta); // a different person, ranked after
      expect(entries[2].search!.score).toBeLessThan(1);
      expect(answer.body!.total).toBe(entries.length);
    });

    it('finds family and given names transposed, and the restricted person by name with their details removed', async () => {
      const swapped = await call<Bundle>(
        'GET',
        `Patient?_query=pdqm&family=Robert&given=Fairweather${s}&birthdate=1961-03-14`,
      );
      expect(
        patientsOf(swapped.body)
          .slice(0, 2)
          .map((p) => p.id)
          .sort(),
      ).toEqual([ids.bobAcute, ids.bobGp].sort());
      const restricted = await call<Bundle>(
        'GET',
        `Patient?_query=pdqm&family=${family()}&birthdate=1970-05-05`,
      );
      const found = patientsOf(restricted.body);
      expect(found.map((p) => p.id).sort()).toEqual([ids.gp, ids.pds].sort());
      found.forEach(expectRedacted);
    });

    it('serves only what the caller may see: an objection hides the person from another organisation’s clinician', async () => {
      const elsewhere = await api.issue({
        scope: 'user/*.rs',
        role: 'clinician',
        organisation: 'RX1',
        subject: 'dr-pdqm',
      });
      const query = `Patient?_query=pdqm&family=Objector${s}`;
      expect((await call<Bundle>('GET', query)).body!.total).toBe(1);
      const hidden = await call<Bundle>('GET', query, { headers: { authorization: `Bearer ${elsewhere}` } });
      expect(hidden.status).toBe(200);
      expect(hidden.body).toMatchObject({ total: 0 });
      expect(hidden.body!.entry ?? []).toEqual([]);
    });

    it('refuses a parameter it cannot honour, with an OperationOutcome naming it', async () => {
      const answer = await call<OperationOutcome>(
        'GET',
        `Patient?_query=pdqm&family=Smith&address-city=Leeds`,
      );
      expect(answer.status).toBe(400);
      expect(answer.body!.issue[0].diagnostics).toMatch(/address-city/);
    });

    it('reports Elasticsearch in /health, which plain FHIR search never needed', async () => {
      const health = await fetch(api.base.replace(/\/fhir$/, '/health'));
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'up',
        components: { elasticsearch: { status: 'up' } },
      });
    });
  });

  describe('with Elasticsearch unreachable', () => {
    let degraded: AuthorisedApi;
    beforeAll(async () => {
      degraded = await startApiAsSystem({
        DATABASE_URL: search.databaseUrl,
        ELASTICSEARCH_NODE: 'http://127.0.0.1:9',
        ELASTICSEARCH_INDEX_PREFIX: search.naming.prefix,
      });
    });
    afterAll(() => degraded?.close());

    it('answers PDQm with 503 and an OperationOutcome, reports degraded health, and serves everything else', async () => {
      const down = fhirHttp(degraded.base, { authorization: degraded.authorization });
      const pdqm = await down<OperationOutcome>('GET', `Patient?_query=pdqm&family=Fairweather${s}`);
      expect(pdqm.status).toBe(503);
      expect(pdqm.headers.get('retry-after')).toBe('5');
      expect(pdqm.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
      const health = await fetch(degraded.base.replace(/\/fhir$/, '/health'));
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'degraded',
        components: { postgres: { status: 'up' }, elasticsearch: { status: 'degraded' } },
      });
      expect((await down<Patient>('GET', `Patient/${ids.bobGp}`)).status).toBe(200);
    });
  });
});
