import { randomUUID } from 'node:crypto';
import { anObjection } from '@continuum/fhir/consent/testing/consent-builders';
import { aPatient } from '@continuum/fhir/identity/testing/patients';
import { IdentityLinker, IdentityLinks, openIdentityDataSource } from '@continuum/store/identity';
import { aValidNhsNumber, TEST_DATABASE_URL } from '@continuum/testing';
import type {
  AuditEvent,
  Bundle,
  Observation,
  OperationOutcome,
  Parameters,
  ParametersParameter,
  Patient,
} from 'fhir/r4';
import postgres from 'postgres';
import { DataSource } from 'typeorm';
import { type AuthorisedApi, startApiAsSystem } from './support/api-app';
import { fhirHttp } from './support/fhir-http';

const MATCH_GRADE = 'http://hl7.org/fhir/StructureDefinition/match-grade';

/**
 * Issue #13, the master patient index over FHIR: `Patient/$match` (IHE ITI-119) through the caller's door,
 * `Patient/$ihe-pix` (ITI-83), and the identity administrator's review queue, link, unlink and link history, each
 * audited; unlinking a record takes it out of the person's consent at once.
 */
describe('identity: $match, $ihe-pix and identity administration over FHIR', () => {
  let api: AuthorisedApi;
  let call: ReturnType<typeof fhirHttp>;
  let identity: DataSource;
  let sql: postgres.Sql;
  let admin: string;
  let clinicianElsewhere: string;
  const run = randomUUID().slice(0, 8);
  const systems = {
    gp: `urn:e2e:pix:gp:${run}`,
    acute: `urn:e2e:pix:acute:${run}`,
    mh: `urn:e2e:pix:mh:${run}`,
  };
  const letters = (length: number) =>
    Array.from(
      { length },
      () => 'bcdfghjklmnprstvwz'[Math.floor(Math.random() * 18)] + 'aeiou'[Math.floor(Math.random() * 5)],
    ).join('');
  const family = letters(4);
  const given = letters(3);
  const nhs = aValidNhsNumber();
  const person = {
    family,
    given: [given],
    birthDate: '1971-03-08',
    postcode: 'LS6 2QB',
    gender: 'female' as const,
  };
  const values = { gp: randomUUID(), acute: randomUUID(), mh: randomUUID() };
  const ids: Record<'a' | 'b' | 'c' | 'twin' | 'otherTwin' | 'stranger', string> = {
    a: '',
    b: '',
    c: '',
    twin: '',
    otherTwin: '',
    stranger: '',
  };
  const observations: Record<'a' | 'b', string> = { a: '', b: '' };

  const create = async (
    resource: Patient | Observation | ReturnType<typeof anObjection>,
  ): Promise<string> => {
    const answer = await call<Patient>('POST', resource.resourceType, { body: resource });
    if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
    return answer.body!.id!;
  };
  const withIdentifier = (patient: Patient, system: string, value: string): Patient => ({
    ...patient,
    identifier: [...(patient.identifier ?? []), { system, value }],
  });
  const matchInput = (patient: Patient, extra: ParametersParameter[] = []): Parameters => ({
    resourceType: 'Parameters',
    parameter: [{ name: 'resource', resource: patient }, ...extra],
  });
  const match = (body: unknown, authorization = api.authorization) =>
    call<Bundle>('POST', 'Patient/$match', { body, headers: { authorization } });
  const matched = (bundle: Bundle | undefined) => (bundle?.entry ?? []).map((entry) => entry.resource!.id!);
  const gradeOf = (bundle: Bundle, id: string) =>
    bundle
      .entry!.find((entry) => entry.resource!.id === id)!
      .search!.extension!.find((e) => e.url === MATCH_GRADE)!.valueCode;
  const operation = (name: string, parameter: ParametersParameter[], authorization = admin) =>
    call<Parameters>('POST', `Patient/$${name}`, {
      body: { resourceType: 'Parameters', parameter },
      headers: { authorization },
    });
  const patientParam = (id: string, name = 'patient'): ParametersParameter => ({
    name,
    valueReference: { reference: `Patient/${id}` },
  });
  const personOf = async (patient: string) =>
    (
      await sql<{ person_id: string }[]>`
        SELECT person_id FROM identity_link WHERE patient_id = ${patient} AND state IN ('MATCH', 'REDIRECT')`
    )[0]?.person_id;
  const parts = (parameter: ParametersParameter) =>
    new Map((parameter.part ?? []).map((part) => [part.name, part]));
  const outcomeCode = (body: unknown) => (body as OperationOutcome).issue[0].code;

  beforeAll(async () => {
    api = await startApiAsSystem();
    call = fhirHttp(api.base, { authorization: api.authorization });
    sql = postgres(TEST_DATABASE_URL, { max: 2, onnotice: () => undefined });
    admin = `Bearer ${await api.issue({ scope: 'user/Patient.rus', role: 'identity-admin', subject: 'mpi-admin', clientId: 'mpi-console' })}`;
    clinicianElsewhere = `Bearer ${await api.issue({ scope: 'user/*.rs', role: 'clinician', organisation: 'RX1', subject: 'dr-elsewhere' })}`;
    ids.a = await create(withIdentifier(aPatient({ ...person, nhs }), systems.gp, values.gp));
    ids.b = await create(withIdentifier(aPatient({ ...person, nhs }), systems.acute, values.acute));
    ids.c = await create(withIdentifier(aPatient(person), systems.mh, values.mh));
    ids.twin = await create(aPatient({ ...person, given: [letters(3)] }));
    ids.otherTwin = await create(aPatient({ ...person, given: [letters(3)] }));
    ids.stranger = await create(
      aPatient({ ...person, family: letters(4), given: [letters(3)], birthDate: '1940-11-02' }),
    );
    for (const key of ['a', 'b'] as const)
      observations[key] = await create({
        resourceType: 'Observation',
        status: 'final',
        code: { text: `identity-admin-e2e ${run}` },
        subject: { reference: `Patient/${ids[key]}` },
      });
    // what ingest does for every stored Patient, in arrival order
    identity = await openIdentityDataSource({
      url: TEST_DATABASE_URL,
      poolSize: 2,
      statementTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 60_000,
    });
    const linker = new IdentityLinker(identity, new IdentityLinks(identity));
    for (const key of ['a', 'b', 'c', 'twin', 'otherTwin', 'stranger'] as const)
      await linker.linkStored([ids[key]]);
  });
  afterAll(async () => {
    await identity?.destroy();
    await sql?.end();
    await api.close();
  });

  describe('Patient/$match', () => {
    it('answers a searchset of the person’s records ordered by score, each with mode match, a probability and a grade', async () => {
      const answer = await match(matchInput(aPatient(person)));
      expect(answer.status).toBe(200);
      const bundle = answer.body!;
      expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
      expect(matched(bundle).slice(0, 3).sort()).toEqual([ids.a, ids.b, ids.c].sort());
      expect(matched(bundle)).toContain(ids.twin); // a twin: possible, below the person's records
      expect(matched(bundle)).not.toContain(ids.stranger);
      const scores = bundle.entry!.map((entry) => entry.search!.score!);
      expect(scores).toEqual([...scores].sort((x, y) => y - x));
      for (const entry of bundle.entry!) {
        expect(entry.search!.mode).toBe('match');
        expect(entry.search!.score).toBeGreaterThan(0);
        expect(entry.search!.score).toBeLessThanOrEqual(1);
      }
      expect(gradeOf(bundle, ids.a)).toBe('probable');
      expect(gradeOf(bundle, ids.twin)).toBe('possible');
      expect(bundle.entry![0].search!.score).toBeGreaterThan(0.999);
    });

    it('onlyCertainMatches returns the certain ones (same verified NHS number and birth date), and count limits', async () => {
      const certain = await match(
        matchInput(aPatient({ ...person, nhs }), [{ name: 'onlyCertainMatches', valueBoolean: true }]),
      );
      expect(certain.status).toBe(200);
      expect(matched(certain.body).sort()).toEqual([ids.a, ids.b].sort());
      expect(certain.body!.entry!.map((entry) => entry.search!.score)).toEqual([1, 1]);
      expect(gradeOf(certain.body!, ids.a)).toBe('certain');
      const one = await match(matchInput(aPatient(person), [{ name: 'count', valueInteger: 1 }]));
      expect(matched(one.body)).toHaveLength(1);
    });

    it('shows a caller only the Patients it may see (a patient token sees none of another person’s records)', async () => {
      const token = `Bearer ${await api.issue({ scope: 'launch/patient patient/*.rs', patient: ids.stranger, clientId: 'patient-app' })}`;
      const answer = await match(matchInput(aPatient(person)), token);
      expect(answer.status).toBe(200);
      expect(matched(answer.body)).toEqual([]);
    });

    it('refuses a missing or invalid resource, and malformed flags, with a 400 OperationOutcome naming them', async () => {
      const cases: [unknown, RegExp][] = [
        [{ resourceType: 'Parameters', parameter: [] }, /"resource".*missing/],
        [{ resourceType: 'Patient' }, /Parameters resource/],
        [matchInput({ resourceType: 'Observation' } as unknown as Patient), /must be a Patient/],
        [
          matchInput({ resourceType: 'Patient', gender: 'sometimes' } as unknown as Patient),
          /not a valid Patient/,
        ],
        [
          matchInput(aPatient(person), [{ name: 'onlyCertainMatches', valueString: 'yes' }]),
          /onlyCertainMatches/,
        ],
        [matchInput(aPatient(person), [{ name: 'count', valueInteger: 0 }]), /count/],
        [matchInput(aPatient(person), [{ name: 'limit', valueInteger: 3 }]), /Unknown \$match parameter/],
      ];
      for (const [body, message] of cases) {
        const answer = await match(body);
        expect(answer.status).toBe(400);
        expect((answer.body as unknown as OperationOutcome).resourceType).toBe('OperationOutcome');
        expect((answer.body as unknown as OperationOutcome).issue[0].diagnostics).toMatch(message);
      }
    });
  });

  describe('Patient/$ihe-pix', () => {
    const pix = (query: string) => call<Parameters>('GET', `Patient/$ihe-pix?${query}`);
    const source = () => `sourceIdentifier=${encodeURIComponent(`${systems.gp}|${values.gp}`)}`;

    it('answers the other identifiers of the person across its linked records, and the records', async () => {
      const answer = await pix(source());
      expect(answer.status).toBe(200);
      const identifiers = answer
        .body!.parameter!.filter((p) => p.name === 'targetIdentifier')
        .map((p) => p.valueIdentifier);
      expect(identifiers).toEqual(
        expect.arrayContaining([
          { system: systems.acute, value: values.acute },
          { system: systems.mh, value: values.mh },
          { system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhs },
        ]),
      );
      expect(identifiers).not.toContainEqual(expect.objectContaining({ system: systems.gp }));
      const targets = answer
        .body!.parameter!.filter((p) => p.name === 'targetId')
        .map((p) => p.valueReference!.reference);
      expect(targets.sort()).toEqual([ids.a, ids.b, ids.c].map((id) => `Patient/${id}`).sort());
    });

    it('keeps to the target domains asked for', async () => {
      const answer = await pix(`${source()}&targetSystem=${encodeURIComponent(systems.acute)}`);
      expect(answer.status).toBe(200);
      expect(answer.body!.parameter).toEqual([
        { name: 'targetIdentifier', valueIdentifier: { system: systems.acute, value: values.acute } },
      ]);
    });

    it('answers 404 for an unknown identifier, 400 for an unknown source domain, 403 for an unknown target domain', async () => {
      const unknownValue = await pix(`sourceIdentifier=${encodeURIComponent(`${systems.gp}|nobody`)}`);
      expect([unknownValue.status, outcomeCode(unknownValue.body)]).toEqual([404, 'not-found']);
      const unknownSystem = await pix(
        `sourceIdentifier=${encodeURIComponent(`urn:e2e:pix:nowhere:${run}|x`)}`,
      );
      expect([unknownSystem.status, outcomeCode(unknownSystem.body)]).toEqual([400, 'code-invalid']);
      const unknownTarget = await pix(
        `${source()}&targetSystem=${encodeURIComponent(`urn:e2e:pix:nowhere:${run}`)}`,
      );
      expect([unknownTarget.status, outcomeCode(unknownTarget.body)]).toEqual([403, 'code-invalid']);
      expect((await pix('targetSystem=x')).status).toBe(400);
      expect((await pix('sourceIdentifier=novalue')).status).toBe(400);
    });
  });

  describe('identity administration', () => {
    it('is for the identity-admin role only', async () => {
      const clinician = `Bearer ${await api.issue({ scope: 'user/*.rus', role: 'clinician', organisation: 'RR8' })}`;
      expect(
        (await call('GET', 'Patient/$review-queue', { headers: { authorization: clinician } })).status,
      ).toBe(403);
      expect((await call('GET', 'Patient/$review-queue')).status).toBe(403); // a system client is no administrator
      const unlink = await operation('unlink', [patientParam(ids.c)], clinician);
      expect(unlink.status).toBe(403);
      expect(await personOf(ids.c)).toBe(await personOf(ids.a));
    });

    it('lists POSSIBLE_MATCH links with their score and each field’s weight', async () => {
      const answer = await call<Parameters>('GET', `Patient/$review-queue?patient=${ids.twin}`, {
        headers: { authorization: admin },
      });
      expect(answer.status).toBe(200);
      const person = await personOf(ids.a);
      const twin = answer
        .body!.parameter!.map(parts)
        .find(
          (item) =>
            item.get('patient')?.valueReference?.reference === `Patient/${ids.twin}` &&
            item.get('person')?.valueId === person,
        );
      expect(twin).toBeDefined();
      expect(twin!.get('state')!.valueCode).toBe('POSSIBLE_MATCH');
      expect(twin!.get('score')!.valueDecimal).toBeGreaterThan(0.05);
      const fields = answer
        .body!.parameter!.find(
          (p) =>
            parts(p).get('patient')?.valueReference?.reference === `Patient/${ids.twin}` &&
            parts(p).get('person')?.valueId === person,
        )!
        .part!.filter((part) => part.name === 'field');
      expect(fields.map((field) => parts(field).get('name')!.valueCode)).toEqual(
        expect.arrayContaining(['nhsNumber', 'family', 'given', 'birthDate', 'postcode', 'sex']),
      );
      expect(twin!.get('rule')).toBeDefined(); // given-names-differ sent it to review
    });

    it('accept makes a MANUAL MATCH and reject a MANUAL NO_MATCH, both in the history', async () => {
      const person = (await personOf(ids.a))!;
      const accepted = await operation('review-accept', [
        patientParam(ids.twin),
        { name: 'person', valueId: person },
      ]);
      expect(accepted.status).toBe(200);
      expect(await personOf(ids.twin)).toBe(person);
      const rejected = await operation('review-reject', [
        patientParam(ids.otherTwin),
        { name: 'person', valueId: person },
      ]);
      expect(rejected.status).toBe(200);
      expect(await personOf(ids.otherTwin)).not.toBe(person);
      const again = await operation('review-accept', [
        patientParam(ids.otherTwin),
        { name: 'person', valueId: person },
      ]);
      expect(again.status).toBe(409);
      const history = await call<Parameters>('GET', `Patient/${ids.twin}/$identity-history`, {
        headers: { authorization: admin },
      });
      expect(history.status).toBe(200);
      const last = parts(
        history.body!.parameter!.filter((p) => parts(p).get('person')?.valueId === person).at(-1)!,
      );
      expect([
        last.get('previousState')?.valueCode,
        last.get('state')?.valueCode,
        last.get('origin')?.valueCode,
      ]).toEqual(['POSSIBLE_MATCH', 'MATCH', 'MANUAL']);
      expect(last.get('actor')!.valueString).toBe('mpi-admin');
    });

    it('refuses malformed or unknown persons with 400 / 404', async () => {
      expect(
        (await operation('link', [patientParam(ids.c), { name: 'person', valueId: 'not-a-uuid' }])).status,
      ).toBe(400);
      expect(
        (await operation('link', [patientParam(ids.c), { name: 'person', valueId: randomUUID() }])).status,
      ).toBe(404);
      expect((await operation('link', [{ name: 'patient', valueString: ids.c }])).status).toBe(400);
      expect((await operation('unlink', [])).status).toBe(400);
    });

    it('unlinking a record takes it out of the person’s consent: an objection on A stops applying to B', async () => {
      await create(anObjection(ids.a, { permitted: ['RR8'] }));
      const read = (id: string) =>
        call('GET', `Observation/${id}`, { headers: { authorization: clinicianElsewhere } });
      expect((await read(observations.b)).status).toBe(403);
      const before = await personOf(ids.a);
      const unlinked = await operation('unlink', [
        patientParam(ids.b),
        { name: 'reason', valueString: 'different person' },
      ]);
      expect(unlinked.status).toBe(200);
      const now = unlinked.body!.parameter!.find((p) => p.name === 'person')!.valueId;
      expect(now).not.toBe(before);
      expect(await personOf(ids.b)).toBe(now);
      expect((await read(observations.b)).status).toBe(200);
      expect((await read(observations.a)).status).toBe(403);
      // two persons now hold a certain match: onlyCertainMatches answers none
      const certain = await match(
        matchInput(aPatient({ ...person, nhs }), [{ name: 'onlyCertainMatches', valueBoolean: true }]),
      );
      expect(matched(certain.body)).toEqual([]);
      // the matcher leaves the manual decision alone when B is linked again
      await new IdentityLinker(identity, new IdentityLinks(identity)).linkStored([ids.b]);
      expect(await personOf(ids.b)).toBe(now);
    });

    it('links a record back to another record’s person, and the person’s consent applies again', async () => {
      const linked = await operation('link', [patientParam(ids.b), patientParam(ids.a, 'otherPatient')]);
      expect(linked.status).toBe(200);
      expect(await personOf(ids.b)).toBe(await personOf(ids.a));
      expect(
        (
          await call('GET', `Observation/${observations.b}`, {
            headers: { authorization: clinicianElsewhere },
          })
        ).status,
      ).toBe(403);
    });

    it('audits each administration request under the patients it concerned, by whom', async () => {
      const events = await sql<{ content: AuditEvent }[]>`
        SELECT content FROM audit_event WHERE patient_ids @> ARRAY[${ids.b}]::text[] ORDER BY recorded DESC LIMIT 200`;
      const queries = events
        .map(({ content }) => ({
          who: content.agent?.find((agent) => agent.requestor)?.who?.identifier?.value,
          query: (content.entity ?? []).flatMap((entity) =>
            entity.query ? [Buffer.from(entity.query, 'base64').toString('utf8')] : [],
          )[0],
          outcome: content.outcome,
        }))
        .filter((event) => /\$(unlink|link)/.test(event.query ?? ''));
      expect(queries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ who: 'mpi-admin', query: 'POST /fhir/Patient/$unlink', outcome: '0' }),
          expect.objectContaining({ who: 'mpi-admin', query: 'POST /fhir/Patient/$link', outcome: '0' }),
        ]),
      );
    });
  });
});
