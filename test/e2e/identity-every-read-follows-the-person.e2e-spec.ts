import { anObjection } from '@continuum/fhir/consent/testing/consent-builders';
import { randomUUID } from 'node:crypto';
import { IdentityLinker, IdentityLinks, openIdentityDataSource } from '@continuum/store/identity';
import { TEST_DATABASE_URL } from '@continuum/testing';
import type { Bundle, Consent, Observation, Patient } from 'fhir/r4';
import { DataSource } from 'typeorm';
import { type AuthorisedApi, startApiAsSystem } from './support/api-app';
import { fhirHttp } from './support/fhir-http';

/**
 * Issue #13: one human known to three sources is one person, and reads "for a patient" follow the person:
 * `$everything` of any of the three records returns all three sources' data, and a patient token for one of them
 * sees the person's records and nothing else.
 */
describe('identity: every read follows the person', () => {
  let api: AuthorisedApi;
  let call: ReturnType<typeof fhirHttp>;
  let identity: DataSource;
  const records: string[] = [];
  const observations: string[] = [];
  let stranger: string;
  let strangersObservation: string;

  const letters = (length: number) =>
    Array.from(
      { length },
      () => 'bcdfghjklmnprstvwz'[Math.floor(Math.random() * 18)] + 'aeiou'[Math.floor(Math.random() * 5)],
    ).join('');
  const create = async <T extends Patient | Observation | Consent>(resource: T): Promise<string> => {
    const answer = await call<T>('POST', resource.resourceType, { body: resource });
    if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
    return answer.body!.id!;
  };
  const everything = async (patient: string, authorization = api.authorization) =>
    (await call<Bundle>('GET', `Patient/${patient}/$everything?_count=200`, { headers: { authorization } }))
      .body!;
  const ids = (bundle: Bundle, type: string) =>
    (bundle.entry ?? [])
      .filter((entry) => entry.resource?.resourceType === type)
      .map((entry) => entry.resource!.id!);

  beforeAll(async () => {
    api = await startApiAsSystem();
    call = fhirHttp(api.base, { authorization: api.authorization });
    const person: Patient = {
      resourceType: 'Patient',
      name: [{ family: letters(4), given: [letters(3)] }],
      gender: 'female',
      birthDate: '1966-09-14',
      address: [{ postalCode: 'HX1 5QF' }],
    };
    for (const code of ['gp', 'acute', 'mental-health']) {
      const patient = await create({
        ...person,
        identifier: [{ system: 'urn:e2e:identity', value: randomUUID() }],
      });
      records.push(patient);
      observations.push(
        await create({
          resourceType: 'Observation',
          status: 'final',
          code: { text: `identity-e2e ${code}` },
          subject: { reference: `Patient/${patient}` },
        }),
      );
    }
    stranger = await create({
      ...person,
      name: [{ family: letters(4), given: [letters(3)] }],
      birthDate: '1930-01-02',
    });
    strangersObservation = await create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'identity-e2e stranger' },
      subject: { reference: `Patient/${stranger}` },
    });
    // what ingest does for every stored Patient
    identity = await openIdentityDataSource({
      url: TEST_DATABASE_URL,
      poolSize: 2,
      statementTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 60_000,
    });
    await new IdentityLinker(identity, new IdentityLinks(identity)).linkStored([...records, stranger]);
  });
  afterAll(async () => {
    await identity?.destroy();
    await api.close();
  });

  it('$everything of any of the three records returns all three sources’ data, and not the stranger’s', async () => {
    for (const record of records) {
      const bundle = await everything(record);
      expect(ids(bundle, 'Observation').sort()).toEqual([...observations].sort());
      expect(ids(bundle, 'Patient').sort()).toEqual([...records].sort());
      expect(ids(bundle, 'Observation')).not.toContain(strangersObservation);
    }
  });

  it('a patient token for one record reaches the person’s three records and nothing else', async () => {
    const token = `Bearer ${await api.issue({ scope: 'launch/patient patient/*.rs', patient: records[1], clientId: 'patient-app' })}`;
    const search = await call<Bundle>('GET', `Observation?code:text=identity-e2e&_count=50`, {
      headers: { authorization: token },
    });
    expect(ids(search.body!, 'Observation').sort()).toEqual([...observations].sort());
    expect(
      (await call('GET', `Observation/${observations[2]}`, { headers: { authorization: token } })).status,
    ).toBe(200);
    expect(
      (await call('GET', `Observation/${strangersObservation}`, { headers: { authorization: token } }))
        .status,
    ).toBe(404);
    expect(ids(await everything(records[0], token), 'Observation').sort()).toEqual([...observations].sort());
    expect(
      (await call('GET', `Patient/${stranger}/$everything`, { headers: { authorization: token } })).status,
    ).toBe(404);
  });

  it('an objection recorded against one record hides all three from another organisation’s clinician', async () => {
    const elsewhere = `Bearer ${await api.issue({ scope: 'user/*.rs', role: 'clinician', organisation: 'RX1', subject: 'dr-elsewhere' })}`;
    const count = async () =>
      (
        await call<Bundle>('GET', `Observation?code:text=identity-e2e&_summary=count`, {
          headers: { authorization: elsewhere },
        })
      ).body!.total;
    expect(await count()).toBeGreaterThanOrEqual(4);
    await create(anObjection(records[0], { permitted: ['RR8'] })); // against the GP's record only
    const search = await call<Bundle>('GET', `Observation?code:text=identity-e2e&_count=50`, {
      headers: { authorization: elsewhere },
    });
    expect(ids(search.body!, 'Observation')).toEqual(expect.not.arrayContaining([observations[1]]));
    expect(ids(search.body!, 'Observation').filter((id) => observations.includes(id))).toEqual([]);
    expect(ids(search.body!, 'Observation')).toContain(strangersObservation);
    for (const observation of observations)
      expect(
        (await call('GET', `Observation/${observation}`, { headers: { authorization: elsewhere } })).status,
      ).toBe(403);
  });
});
