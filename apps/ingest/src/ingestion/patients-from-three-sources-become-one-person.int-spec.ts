import type { Patient } from 'fhir/r4';
import { IdentifierSystem, sourceScopedId } from '@continuum/fhir';
import { PersonQueries, createSql } from '@continuum/store';
import { TEST_DATABASE_URL, aValidNhsNumber, waitFor } from '@continuum/testing';
import { IngestTestHarness } from '../testing/ingest-test-harness';

/** Issue #13: ingest links every stored Patient to its person, so one human known to three sources is one person. */
describe('patients from three sources become one person on ingest', () => {
  const harness = new IngestTestHarness();
  const sql = createSql({
    url: TEST_DATABASE_URL,
    poolSize: 2,
    statementTimeoutMs: 30_000,
    idleInTransactionTimeoutMs: 60_000,
  });
  const letters = (length: number) =>
    Array.from(
      { length },
      () => 'bcdfghjklmnprstvwz'[Math.floor(Math.random() * 18)] + 'aeiou'[Math.floor(Math.random() * 5)],
    ).join('');
  const nhsNumber = aValidNhsNumber();
  const family = letters(4);
  const given = letters(3);
  const birthDate = `19${50 + Math.floor(Math.random() * 49)}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
  const postcode = `BD${1 + Math.floor(Math.random() * 20)} 4XY`;
  const person = (id: string, withNhsNumber: boolean, overrides: Partial<Patient> = {}): Patient => ({
    resourceType: 'Patient',
    id,
    identifier: withNhsNumber ? [{ system: IdentifierSystem.nhsNumber, value: nhsNumber }] : [],
    name: [{ family, given: [given] }],
    gender: 'male',
    birthDate,
    address: [{ postalCode: postcode }],
    ...overrides,
  });
  const sources = {
    gp: { system: 'Y12345:EMIS-Web', patient: person(`gp-${harness.suffix}`, true) },
    ooh: { system: 'NXX:Adastra', patient: person(`ooh-${harness.suffix}`, true) },
    // the mental-health trust has no NHS number for them and spells the surname with a typo
    rio: {
      system: 'RYY:RiO',
      patient: person(`rio-${harness.suffix}`, false, { name: [{ family: `${family}h`, given: [given] }] }),
    },
  };
  const stranger = {
    system: 'RYY:RiO',
    patient: person(`rio-other-${harness.suffix}`, false, {
      name: [{ family: letters(4), given: [letters(3)] }],
      birthDate: '1931-12-30',
    }),
  };

  beforeAll(() => harness.start());
  afterAll(async () => {
    await harness.stop();
    await sql.end({ timeout: 5 });
  });

  it('links the GP, out-of-hours and mental-health records to one person, and a stranger to another', async () => {
    const all = [...Object.values(sources), stranger];
    await harness.publishFhir(
      all.map(({ system, patient }) => ({
        key: patient.id!,
        value: JSON.stringify(patient),
        headers: {
          'source-system': system,
          'message-id': `${patient.id}-m1`,
          'content-type': 'application/fhir+json',
        },
      })),
    );
    const ids = all.map(({ system, patient }) => sourceScopedId(system, 'Patient', patient.id!));
    const persons = new PersonQueries(sql);
    const same = await waitFor(
      () => persons.samePerson(ids),
      (found) => (found.get(ids[0])?.length ?? 0) === 3,
      { what: 'the three records to be linked to one person', timeoutMs: 60_000 },
    );
    expect(same.get(ids[0])).toEqual(ids.slice(0, 3).sort());
    expect(same.get(ids[2])).toEqual(ids.slice(0, 3).sort());
    expect(same.get(ids[3])).toEqual([ids[3]]);
  });

  it('re-links a repeated Patient only when it changed, or when it was stored but never linked (a crash between)', async () => {
    const { system, patient } = {
      system: 'RXX:PAS',
      patient: person(`pas-${harness.suffix}`, false, {
        birthDate: '1944-04-04',
        name: [{ family: letters(5), given: [letters(3)] }],
      }),
    };
    const id = sourceScopedId(system, 'Patient', patient.id!);
    const send = (messageId: string, content: Patient = patient) =>
      harness.publishFhir([
        {
          key: patient.id!,
          value: JSON.stringify(content),
          headers: {
            'source-system': system,
            'message-id': messageId,
            'content-type': 'application/fhir+json',
          },
        },
      ]);
    // linking rewrites the patient's block keys, so their row versions (xmin) tell whether it ran
    const blockKeyVersions = async () =>
      (
        await sql<
          { v: string }[]
        >`SELECT xmin::text AS v FROM identity_block_key WHERE patient_id = ${id} ORDER BY key`
      ).map((row) => row.v);
    const linkEvents = async () =>
      Number(
        (
          await sql<{ n: string }[]>`SELECT count(*) AS n FROM identity_link_event WHERE patient_id = ${id}`
        )[0].n,
      );
    const linked = async () =>
      Number(
        (
          await sql<
            { n: string }[]
          >`SELECT count(*) AS n FROM identity_link WHERE patient_id = ${id} AND state = 'MATCH'`
        )[0].n,
      );
    const stored = (messageId: string) =>
      waitFor(
        async () =>
          (
            await sql`SELECT 1 FROM ingested_message WHERE source_system = ${system} AND message_id = ${messageId}`
          ).length,
        (rows) => rows === 1,
        { what: `message ${messageId} to be ingested`, timeoutMs: 60_000 },
      );

    await send(`${patient.id}-m1`);
    await waitFor(linked, (n) => n === 1, { what: 'the new Patient to be linked', timeoutMs: 60_000 });
    const eventsAfterFirst = await linkEvents();
    const keysAfterFirst = await blockKeyVersions();
    expect(keysAfterFirst.length).toBeGreaterThan(0);

    // the same Patient again, unchanged and linked: no linking work, no new link event
    await send(`${patient.id}-m2`);
    await stored(`${patient.id}-m2`);
    expect(await linkEvents()).toBe(eventsAfterFirst);
    expect(await blockKeyVersions()).toEqual(keysAfterFirst);

    // as if ingest had crashed after storing it and before linking it: a replay links it
    await sql`DELETE FROM identity_link WHERE patient_id = ${id}`;
    await send(`${patient.id}-m3`);
    await waitFor(linked, (n) => n === 1, {
      what: 'the never-linked Patient to be linked on replay',
      timeoutMs: 60_000,
    });
  });
});
