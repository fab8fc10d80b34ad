import { randomUUID } from 'node:crypto';
import { planView, ViewEvaluator, type ViewRow } from '@continuum/fhir';
import { aNationalDataOptOut } from '@continuum/fhir/consent/testing/consent-builders';
import { REFERENCE_VIEWS } from '@continuum/fhir/sql-on-fhir/testing/reference-views';
import { CommunityGenerator } from '@continuum/generator';
import {
  AuditLog,
  ConsentQueries,
  type FhirStore,
  type ResourceStore,
  RestrictedPersonQueries,
} from '@continuum/store';
import { aLocatablePatient, linkAsOnePerson } from '@continuum/store/restricted/testing/restricted-people';
import { openTestStore } from '@continuum/store/testing/test-store';
import type { AuditEvent, Observation, Patient, Resource } from 'fhir/r4';
import type postgres from 'postgres';
import { auditedPatients } from '../audit/audit-event.builder';
import { AuditEventSearch } from '../audit/audit-event.search';
import { AuditRecorder } from '../audit/audit.recorder';
import { ConsentGate } from '../consent/consent.gate';
import { type AccessClaims, accessContextFrom } from './access-context';
import { runWithAccess } from './access-scope';
import { AccessGuardrails } from './access.guardrails';
import { RestrictedPeople } from './restricted-people';
import { SecuredResourceStore } from './secured-resource.store';

/**
 * `runView` computes a view's rows in SQL behind the secured door; they must be the rows the in-memory evaluator
 * gives over the door's scan, for every caller: a generated community plus a restricted (S-flag) patient, a person
 * opted out of secondary use on one record and linked to another, seen by direct care, research and a patient/
 * token. Same rows, same order; each page of rows is audited with the patients who gave them.
 */
describe('a compiled view through the secured door gives the in-memory engine’s rows', () => {
  let sql: postgres.Sql;
  let close: () => Promise<void>;
  let store: FhirStore;
  let secured: ResourceStore;
  let log: AuditLog;
  const since = new Date(Date.now() - 1000);
  const source = `urn:continuum:views-door:${randomUUID()}`;
  const mine = new Set<string>();
  const people = {
    restricted: `views-door-restricted-${randomUUID()}`,
    optedOut: '',
    otherRecord: '',
    some: '',
  };

  beforeAll(async () => {
    const opened = await openTestStore();
    ({ sql, close, store } = opened);
    log = new AuditLog(sql, auditedPatients);
    const consents = new ConsentQueries(sql);
    const gate = new ConsentGate(consents);
    secured = new SecuredResourceStore(
      store,
      new AccessGuardrails(gate, 'http://localhost/fhir'),
      gate,
      consents,
      new AuditRecorder(log, 'views-door-test'),
      new AuditEventSearch(sql),
      new RestrictedPeople(new RestrictedPersonQueries(sql), 'http://localhost/fhir'),
      { maxBundleEntries: 100, expensiveSearchesPerCaller: 4 },
    );
    const generator = new CommunityGenerator({ seed: `views-door-${randomUUID()}`, formats: ['ndjson'] });
    const resources: Resource[] = [];
    for (let person = 0; person < 4; person++)
      for (const serialised of generator.person(person).resources)
        resources.push(JSON.parse(serialised.json) as Resource);
    const patients = resources.filter((resource) => resource.resourceType === 'Patient');
    people.optedOut = patients[0].id as string;
    people.some = patients[patients.length - 1].id as string;
    resources.push(
      aLocatablePatient(people.restricted, { restricted: true }) as Resource,
      {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '8302-2' }] },
        subject: { reference: `Patient/${people.restricted}` },
      } as Observation,
    );
    for (let at = 0; at < resources.length; at += 200)
      await store.upsertMany(
        resources.slice(at, at + 200).map((resource) => ({ resource })),
        { sourceSystem: source },
      );
    resources.forEach((resource) => mine.add(resource.id as string));
    people.otherRecord = (await store.create({ resourceType: 'Patient', active: true } as Patient))
      .id as string;
    mine.add(people.otherRecord);
    await linkAsOnePerson(sql, [people.otherRecord, people.optedOut]);
    await store.create(aNationalDataOptOut(people.otherRecord));
  }, 120_000);
  afterAll(async () => {
    await log.flush();
    await close();
  });

  const as = <T>(claims: AccessClaims, work: () => Promise<T>) =>
    runWithAccess(accessContextFrom({ sub: 'views-door-test', ...claims }), undefined, work);
  const ours = (rows: ViewRow[]) => rows.filter((row) => mine.has(String(row.id)));
  const compiled = (claims: AccessClaims, view: unknown) =>
    as(claims, async () => {
      const rows: ViewRow[] = [];
      for await (const page of secured.runView(view, { since, pageSize: 50 })) rows.push(...page.rows);
      return ours(rows);
    });
  const inMemory = (claims: AccessClaims, view: unknown) =>
    as(claims, async () => {
      const evaluator = new ViewEvaluator(view);
      const rows: ViewRow[] = [];
      for await (const page of secured.scan({ since, types: { include: [planView(view).resource] } }))
        for (const row of page) if (row.content) rows.push(...evaluator.rows(row.content as Resource));
      return ours(rows);
    });

  const callers: [string, AccessClaims][] = [
    ['direct care', { scope: 'system/*.rs', purpose_of_use: 'TREAT' }],
    ['research (opt-out applies)', { scope: 'system/*.rs', purpose_of_use: 'HRESCH' }],
  ];
  const views = REFERENCE_VIEWS.map((view) => [view.name as string, view] as const);

  describe.each(callers)('for %s', (_caller, claims) => {
    it.each(views)('%s: the same rows in the same order', async (_name, view) => {
      const expected = await inMemory(claims, view);
      expect(expected.length).toBeGreaterThan(0);
      expect(await compiled(claims, view)).toEqual(expected);
    });
  });

  it('for a patient/ token: its own compartment only, the same rows as in memory', async () => {
    const claims = { scope: 'patient/*.rs', patient: people.some };
    for (const view of REFERENCE_VIEWS)
      expect(await compiled(claims, view)).toEqual(await inMemory(claims, view));
    const patients = await compiled(claims, REFERENCE_VIEWS[0]);
    expect(patients.map((row) => row.id)).toEqual([people.some]);
  });

  it('removes a restricted person’s locating details, and leaves an opted-out person out of research', async () => {
    const research = await compiled({ scope: 'system/*.rs', purpose_of_use: 'HRESCH' }, REFERENCE_VIEWS[0]);
    const restricted = research.find((row) => row.id === people.restricted);
    expect(restricted).toMatchObject({ family: 'Hidden', postcode: null, gp_practice: null });
    expect(research.map((row) => row.id)).not.toContain(people.optedOut);
    const care = await compiled({ scope: 'system/*.rs', purpose_of_use: 'TREAT' }, REFERENCE_VIEWS[0]);
    expect(care.map((row) => row.id)).toEqual(expect.arrayContaining([people.optedOut, people.otherRecord]));
  });

  it('audits each page of rows with the patients who gave them', async () => {
    const subject = `views-door-auditor-${randomUUID()}`;
    await runWithAccess(accessContextFrom({ sub: subject, scope: 'system/*.rs' }), undefined, async () => {
      for await (const page of secured.runView(REFERENCE_VIEWS[0], { since, pageSize: 5 })) void page;
    });
    await log.flush();
    const events = await sql<{ content: AuditEvent; patient_ids: string[] }[]>`
      SELECT content, patient_ids FROM audit_event
      WHERE content->'agent' @> ${sql.json([{ who: { identifier: { value: subject } } }])}`;
    expect(events.length).toBeGreaterThanOrEqual(2); // the run's start, then its pages
    expect(events.flatMap((event) => event.patient_ids)).toEqual(
      expect.arrayContaining([people.some, people.restricted]),
    );
  });

  it('refuses a caller without search scope on the view’s type', async () => {
    await expect(compiled({ scope: 'system/Patient.rs' }, REFERENCE_VIEWS[1])).rejects.toMatchObject({
      status: 403,
    });
  });
});
