import type { Encounter, Patient, Provenance } from 'fhir/r4';
import { parseSearchRequest, sourceScopedId } from '@continuum/fhir';
import { createSql } from '@continuum/store';
import { readTopic, TEST_DATABASE_URL, waitFor } from '@continuum/testing';
import { IngestTestHarness } from '../testing/ingest-test-harness';

/** Issue #13: HL7 A40 merges through the store's merge service; A24 links, A37 unlinks only what an A24 made. */
describe('HL7 merges and links through the real Kafka', () => {
  const harness = new IngestTestHarness();
  const source = `RXX:PAS-${harness.suffix}`;
  const sql = createSql({
    url: TEST_DATABASE_URL,
    poolSize: 2,
    statementTimeoutMs: 30_000,
    idleInTransactionTimeoutMs: 60_000,
  });
  const patientId = (key: string) => sourceScopedId(source, 'Patient', key);
  let sequence = 0;

  /** A small PAS message: one or two PIDs (local record numbers; names and birth dates of their own), optional PV1/MRG. */
  const message = (
    event: string,
    pids: { key: string; family: string; born: string }[],
    extra: string[] = [],
  ) =>
    [
      `MSH|^~\\&|PAS|RCB|ROUTE|ROUTE|202412011200||ADT^${event}^ADT_A01|${event}-${harness.suffix}-${++sequence}|P|2.4`,
      'EVN||202412011155',
      ...pids.flatMap(({ key, family, born }, index) => [
        `PID|${index + 1}||${key}^^^RCB^MR||${family}^ALEX||${born}|F`,
        ...(event === 'A24' || event === 'A37' ? [`PV1|${index + 1}|O`] : []),
      ]),
      ...extra,
    ].join('\r');
  const publish = (text: string) =>
    harness.publishHl7([{ key: 'p', value: text, headers: { 'source-system': source } }]);
  const identityOf = async (id: string) =>
    (
      await sql<{ person_id: string; state: string; origin: string }[]>`
      SELECT person_id, state, origin FROM identity_link WHERE patient_id = ${id} AND state IN ('MATCH', 'REDIRECT')`
    )[0];

  beforeAll(() => harness.start());
  afterAll(async () => {
    await harness.stop();
    await sql.end({ timeout: 5 });
  });

  it('A40 merges: M inactive and replaced-by S, its Encounter re-pointed and found by patient=S; A37 never undoes it', async () => {
    const m = { key: `M${harness.suffix}`, family: `Merged${harness.suffix}`, born: '19610314' };
    const s = { key: `S${harness.suffix}`, family: `Survivor${harness.suffix}`, born: '19720101' };
    const visit = `PV1|1|I|RCB^WARD7^BAY1^RCB55||||||||||||||||V-${harness.suffix}^^^VISITID|||||||||||||||||||||||||202412010900`;
    await publish(message('A01', [m], [visit]));
    await publish(message('A28', [s]));
    const encounterId = sourceScopedId(source, 'Encounter', `V-${harness.suffix}`);
    await waitFor(() => identityOf(patientId(s.key)), Boolean, { what: 'the survivor linked to a person' });
    const before = await waitFor(
      () => harness.store.read<Encounter>('Encounter', encounterId).catch(() => undefined),
      Boolean,
      { what: "the merged patient's Encounter" },
    );
    expect(before!.subject?.reference).toBe(`Patient/${patientId(m.key)}`);

    await publish(message('A40', [s], [`MRG|${m.key}^^^RCB^MR`]));
    const merged = await waitFor(
      () => harness.store.read<Patient>('Patient', patientId(m.key)),
      (patient) => patient.active === false,
      { what: 'the merged patient inactive' },
    );
    expect(merged.link).toEqual([
      { other: { reference: `Patient/${patientId(s.key)}` }, type: 'replaced-by' },
    ]);
    expect(merged.name?.[0].family).toBe(m.family); // its own data kept
    const survivor = await harness.store.read<Patient>('Patient', patientId(s.key));
    expect(survivor.link).toEqual([
      { other: { reference: `Patient/${patientId(m.key)}` }, type: 'replaces' },
    ]);
    const encounter = await harness.store.read<Encounter>('Encounter', encounterId);
    expect(encounter.subject?.reference).toBe(`Patient/${patientId(s.key)}`);
    expect(encounter.meta?.versionId).toBe('2');
    const byPatient = await harness.store.search(
      parseSearchRequest('Encounter', [['patient', patientId(s.key)]]),
    );
    expect(byPatient.matches.map((match) => match.id)).toEqual([encounterId]);
    expect(await identityOf(patientId(m.key))).toMatchObject({
      state: 'REDIRECT',
      origin: 'MANUAL',
      person_id: (await identityOf(patientId(s.key))).person_id,
    });
    const provenances = await harness.store.search(
      parseSearchRequest('Provenance', [['target', `Encounter/${encounterId}`]]),
    );
    const mergeProvenance = provenances.matches
      .map((match) => match.content as Provenance)
      .find((provenance) => provenance.activity?.coding?.[0].code === 'merge');
    expect(mergeProvenance?.agent[0].who.display).toBe(source);

    // the same merge sent again (another control id): one result, no new version
    await publish(message('A40', [s], [`MRG|${m.key}^^^RCB^MR`]));
    // A37 naming the merged pair never undoes the merge; a merge into the merged-away patient is refused
    const other = { key: `O${harness.suffix}`, family: `Other${harness.suffix}`, born: '19800101' };
    await publish(message('A37', [s, m]));
    await publish(message('A40', [m], [`MRG|${other.key}^^^RCB^MR`]));
    const deadLetters = await readTopic(harness.kafka, harness.topics.dlq, 2);
    const reasons = Object.fromEntries(
      deadLetters.map((record) => [record.headers['dlq-error-code'], record.headers['dlq-reason']]),
    );
    expect(Object.keys(reasons).sort()).toEqual(['merge-target-merged', 'unlink-of-merge']);
    expect(reasons['unlink-of-merge']).toMatch(/never a merge/);
    expect(reasons['merge-target-merged']).toMatch(
      new RegExp(`Patient/${patientId(m.key)} was itself merged`),
    );
    expect((await harness.store.read<Encounter>('Encounter', encounterId)).meta?.versionId).toBe('2');
    expect((await identityOf(patientId(m.key))).state).toBe('REDIRECT');
    expect((await harness.store.read<Patient>('Patient', patientId(m.key))).active).toBe(false);
  });

  it('A24 links the second record to the first one’s person (MANUAL); A37 removes that link', async () => {
    const first = { key: `F${harness.suffix}`, family: `First${harness.suffix}`, born: '19500505' };
    const second = { key: `G${harness.suffix}`, family: `Second${harness.suffix}`, born: '19990909' };
    await publish(message('A28', [first]));
    await publish(message('A28', [second]));
    await waitFor(() => identityOf(patientId(second.key)), Boolean, { what: 'the second record linked' });
    const person = (
      await waitFor(() => identityOf(patientId(first.key)), Boolean, { what: 'the first record linked' })
    ).person_id;
    expect((await identityOf(patientId(second.key))).person_id).not.toBe(person);

    await publish(message('A24', [first, second]));
    const linked = await waitFor(
      () => identityOf(patientId(second.key)),
      (link) => link?.person_id === person,
      { what: 'the A24 link' },
    );
    expect(linked).toMatchObject({ state: 'MATCH', origin: 'MANUAL' });

    await publish(message('A37', [first, second]));
    const unlinked = await waitFor(
      () => identityOf(patientId(second.key)),
      (link) => link?.person_id !== person,
      { what: 'the A37 unlink' },
    );
    expect(unlinked.state).toBe('MATCH');
    expect((await identityOf(patientId(first.key))).person_id).toBe(person); // the first record is untouched
  });
});
