import { randomUUID } from 'node:crypto';
import { aPatient } from '@continuum/fhir/identity/testing/patients';
import { IdentityLinker, IdentityLinks, openIdentityDataSource } from '@continuum/store/identity';
import { TEST_DATABASE_URL } from '@continuum/testing';
import type { Bundle, Observation, OperationOutcome, Patient } from 'fhir/r4';
import { DataSource } from 'typeorm';
import { type AuthorisedApi, startApiAsSystem } from './support/api-app';
import { fhirHttp } from './support/fhir-http';

/**
 * Issue #13: searches by patient expand to the person through an explicit form, `patient:person=Patient/X` (any
 * reference parameter that can point at a Patient), while plain `patient=` keeps its R4 meaning (that record only).
 * Counts and totals come from the same SQL.
 */
describe('identity: patient:person searches the person’s records, patient= the record', () => {
  let api: AuthorisedApi;
  let call: ReturnType<typeof fhirHttp>;
  let identity: DataSource;
  const records: string[] = [];
  const observations: string[] = [];
  let strangersObservation: string;
  const run = randomUUID().slice(0, 8);
  const letters = (length: number) =>
    Array.from(
      { length },
      () => 'bcdfghjklmnprstvwz'[Math.floor(Math.random() * 18)] + 'aeiou'[Math.floor(Math.random() * 5)],
    ).join('');
  const create = async (resource: Patient | Observation): Promise<string> => {
    const answer = await call<Patient>('POST', resource.resourceType, { body: resource });
    if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
    return answer.body!.id!;
  };
  const observation = (patient: string, source: string): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { text: `person-search-e2e ${run} ${source}` },
    subject: { reference: `Patient/${patient}` },
  });
  const search = (query: string) => call<Bundle>('GET', `Observation?${query}`);
  const ids = (bundle: Bundle | undefined) =>
    (bundle?.entry ?? [])
      .filter((entry) => entry.search?.mode === 'match')
      .map((entry) => entry.resource!.id!);

  beforeAll(async () => {
    api = await startApiAsSystem();
    call = fhirHttp(api.base, { authorization: api.authorization });
    const person = {
      family: letters(4),
      given: [letters(3)],
      birthDate: '1958-07-21',
      postcode: 'BD7 1DP',
      gender: 'male' as const,
    };
    for (const source of ['gp', 'acute', 'community']) {
      const patient = await create(aPatient(person));
      records.push(patient);
      observations.push(await create(observation(patient, source)));
      observations.push(await create(observation(patient, `${source}-2`)));
    }
    const stranger = await create(aPatient({ ...person, given: [letters(3)], birthDate: '1990-02-03' }));
    strangersObservation = await create(observation(stranger, 'stranger'));
    identity = await openIdentityDataSource({
      url: TEST_DATABASE_URL,
      poolSize: 2,
      statementTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 60_000,
    });
    const linker = new IdentityLinker(identity, new IdentityLinks(identity));
    for (const patient of [...records, stranger]) await linker.linkStored([patient]);
  });
  afterAll(async () => {
    await identity?.destroy();
    await api.close();
  });

  it('plain patient= finds that record’s resources only', async () => {
    const answer = await search(`patient=Patient/${records[0]}&_count=50`);
    expect(answer.status).toBe(200);
    expect(ids(answer.body).sort()).toEqual(observations.slice(0, 2).sort());
  });

  it('patient:person= (and subject:person=) finds every linked record’s resources, and not the stranger’s', async () => {
    for (const query of [`patient:person=Patient/${records[1]}`, `subject:person=${records[2]}`]) {
      const answer = await search(`${query}&_count=50`);
      expect(answer.status).toBe(200);
      expect(ids(answer.body).sort()).toEqual([...observations].sort());
      expect(ids(answer.body)).not.toContain(strangersObservation);
    }
  });

  it('counts and totals in SQL under the same filter, and pages through it', async () => {
    const count = await search(`patient:person=Patient/${records[0]}&_summary=count`);
    expect(count.body!.total).toBe(6);
    const total = await search(`patient:person=Patient/${records[0]}&_total=accurate&_count=4`);
    expect(total.body!.total).toBe(6);
    expect(ids(total.body)).toHaveLength(4);
    const next = total.body!.link!.find((link) => link.relation === 'next')!.url;
    const rest = await call<Bundle>('GET', next);
    expect([...ids(total.body), ...ids(rest.body)].sort()).toEqual([...observations].sort());
  });

  it('combines with other parameters, and refuses :person where no Patient can be meant', async () => {
    const answer = await search(
      `patient:person=Patient/${records[0]}&code:text=${encodeURIComponent(`person-search-e2e ${run} acute`)}&_count=50`,
    );
    expect(ids(answer.body).sort()).toEqual(observations.slice(2, 4).sort());
    const refused = await search(`code:person=${records[0]}`);
    expect(refused.status).toBe(400);
    expect((refused.body as unknown as OperationOutcome).issue[0].diagnostics).toMatch(/person/);
  });

  it('a patient token sees the person’s records through :person and nothing of another person', async () => {
    const token = `Bearer ${await api.issue({ scope: 'launch/patient patient/*.rs', patient: records[0], clientId: 'patient-app' })}`;
    const mine = await call<Bundle>('GET', `Observation?patient:person=Patient/${records[0]}&_count=50`, {
      headers: { authorization: token },
    });
    expect(ids(mine.body).sort()).toEqual([...observations].sort());
  });
});
