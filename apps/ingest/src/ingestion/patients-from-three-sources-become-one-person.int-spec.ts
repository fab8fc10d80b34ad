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
});
