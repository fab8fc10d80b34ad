import { uniqueSuffix } from '@continuum/testing';
import type { Bundle, Composition, Patient, Resource } from 'fhir/r4';
import { startApiAsSystem, type AuthorisedApi } from './support/api-app';
import { fhirHttp, linkOf, type FhirHttp } from './support/fhir-http';

describe('Patient $everything and $summary over HTTP', () => {
  let api: AuthorisedApi;
  let http: FhirHttp;
  let gpPatient = '';
  let hospitalPatient = '';
  let stranger = '';
  let practitioner = '';
  let organisation = '';
  let medication = '';
  let strangersPractitioner = '';
  const tag = uniqueSuffix();

  const create = async <T extends Resource>(resource: T): Promise<string> => {
    const created = await http<T>('POST', resource.resourceType, { body: resource });
    if (created.status !== 201)
      throw new Error(`${resource.resourceType} not created: ${JSON.stringify(created.body)}`);
    return created.body?.id ?? '';
  };
  const subject = (id: string) => ({ reference: `Patient/${id}` });

  beforeAll(async () => {
    api = await startApiAsSystem();
    http = fhirHttp(api.base, { authorization: api.authorization });
    // The same person registered by a GP system and by a hospital; the hospital record links to the GP one (A40 / MPI),
    // a link only an identity administrator may make through the API.
    gpPatient = await create<Patient>({ resourceType: 'Patient', name: [{ family: `Gp${tag}` }] });
    const hospital: Patient = { resourceType: 'Patient', name: [{ family: `Hosp${tag}` }] };
    hospitalPatient = await create<Patient>(hospital);
    const identityAdmin = await api.issue({ scope: 'user/Patient.rus', role: 'identity-admin' });
    const linked = await http<Patient>('PUT', `Patient/${hospitalPatient}`, {
      body: { ...hospital, id: hospitalPatient, link: [{ other: subject(gpPatient), type: 'seealso' }] },
      headers: { authorization: `Bearer ${identityAdmin}` },
    });
    if (linked.status !== 200) throw new Error(`Patient not linked: ${JSON.stringify(linked.body)}`);
    stranger = await create<Patient>({ resourceType: 'Patient' });
    // Shared reference data the records point at: in no patient's compartment.
    practitioner = await create({ resourceType: 'Practitioner', name: [{ family: `Dr${tag}` }] });
    organisation = await create({ resourceType: 'Organization', name: `Trust ${tag}` });
    medication = await create({ resourceType: 'Medication', code: { text: 'Salbutamol 100mcg' } });
    strangersPractitioner = await create({ resourceType: 'Practitioner', name: [{ family: `Other${tag}` }] });
    await create({
      resourceType: 'AllergyIntolerance',
      patient: subject(gpPatient),
      code: { text: 'Penicillin' },
      clinicalStatus: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
        ],
      },
    });
    await create({
      resourceType: 'Condition',
      subject: subject(hospitalPatient),
      code: { text: 'Asthma' },
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
    });
    await create({
      resourceType: 'MedicationStatement',
      status: 'active',
      subject: subject(gpPatient),
      medicationReference: { reference: `Medication/${medication}` },
    });
    await create({
      resourceType: 'Encounter',
      status: 'finished',
      class: { code: 'AMB' },
      subject: subject(hospitalPatient),
      period: { start: '2025-03-01' },
      participant: [{ individual: { reference: `Practitioner/${practitioner}` } }],
      serviceProvider: { reference: `Organization/${organisation}` },
    });
    for (let i = 0; i < 3; i++)
      await create({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Peak flow' },
        subject: subject(i % 2 ? gpPatient : hospitalPatient),
        effectiveDateTime: `2025-0${i + 1}-10`,
        valueQuantity: { value: 400 + i, unit: 'L/min' },
        performer: [{ reference: `Practitioner/${practitioner}` }],
      });
    await create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Other person' },
      subject: subject(stranger),
      performer: [{ reference: `Practitioner/${strangersPractitioner}` }],
    });
  });
  afterAll(() => api.close());

  /** Every page's matches, and the distinct resources the pages included (a page repeats what it needs). */
  const everythingPaged = async (id: string, query = '') => {
    const matches: string[] = [];
    const included = new Set<string>();
    let url: string | undefined = `Patient/${id}/$everything${query}`;
    while (url) {
      const page: Bundle | undefined = (await http<Bundle>('GET', url)).body;
      for (const entry of page?.entry ?? []) {
        const ref = `${entry.resource?.resourceType}/${entry.resource?.id}`;
        if (entry.search?.mode === 'match') matches.push(ref);
        if (entry.search?.mode === 'include') included.add(ref);
      }
      url = linkOf(page, 'next');
    }
    return { matches, included: [...included].sort() };
  };
  const everything = async (id: string, query = '') => (await everythingPaged(id, query)).matches;

  it('returns every record of the person, across linked patients, paged to the end', async () => {
    const ids = await everything(gpPatient, '?_count=3');
    // 2 patients, an allergy, a condition, a medication, an encounter and 3 observations; nothing of the stranger's.
    expect(ids).toHaveLength(9);
    expect(ids).toEqual(expect.arrayContaining([`Patient/${gpPatient}`, `Patient/${hospitalPatient}`]));
    expect(ids).not.toContain(`Patient/${stranger}`);
    expect(new Set(ids).size).toBe(ids.length);
    // The link is followed from either side.
    expect((await everything(hospitalPatient)).sort()).toEqual([...ids].sort());
  });

  it('adds, on each page, the practitioners, organisations and medications its records reference', async () => {
    const { included } = await everythingPaged(gpPatient, '?_count=3');
    expect(included).toEqual(
      [`Medication/${medication}`, `Organization/${organisation}`, `Practitioner/${practitioner}`].sort(),
    );
    // Referenced by the stranger's record only: not part of this person's.
    expect(included).not.toContain(`Practitioner/${strangersPractitioner}`);
    // _type narrows what is added too.
    expect((await everythingPaged(gpPatient, '?_type=Observation')).included).toEqual([]);
    expect((await everythingPaged(gpPatient, '?_type=Observation,Practitioner')).included).toEqual([
      `Practitioner/${practitioner}`,
    ]);
  });

  it('narrows by _type and _since', async () => {
    const observations = await everything(gpPatient, '?_type=Observation');
    expect(observations).toHaveLength(3);
    expect(await everything(gpPatient, `?_since=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
  });

  it('refuses unknown parameters and unknown patients', async () => {
    expect((await http('GET', `Patient/${gpPatient}/$everything?start=2020`)).status).toBe(400);
    expect((await http('GET', `Patient/${uniqueSuffix()}/$everything`)).status).toBe(404);
  });

  it('$summary is a document with IPS sections filled from the linked records', async () => {
    const answer = await http<Bundle>('GET', `Patient/${gpPatient}/$summary`);
    expect(answer.status).toBe(200);
    expect(answer.body?.type).toBe('document');
    const composition = answer.body?.entry?.[0].resource as Composition;
    const section = (loinc: string) => composition.section?.find((s) => s.code?.coding?.[0].code === loinc);
    expect(section('48765-2')?.text?.div).toContain('Penicillin');
    expect(section('11450-4')?.text?.div).toContain('Asthma');
    expect(section('10160-0')?.text?.div).toContain('Salbutamol');
    expect(section('46240-8')?.entry).toHaveLength(1);
    expect(section('30954-2')?.entry).toHaveLength(3);
    expect(answer.body?.entry?.every((e) => e.fullUrl)).toBe(true);
  });
});
