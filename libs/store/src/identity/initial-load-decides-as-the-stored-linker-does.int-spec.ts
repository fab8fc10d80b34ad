import { generateLabelledPopulation } from '@continuum/generator';
import { createFhirStore, createSql, type FhirStore } from '@continuum/store';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { Patient } from 'fhir/r4';
import type postgres from 'postgres';
import type { DataSource } from 'typeorm';
import { openIdentityIndex } from './identity-data-source';
import { IdentityRebuild } from './identity.rebuild';

/**
 * The initial load links an empty index in memory; it must record what the stored linker records, so a store linked
 * either way is the same index. On a labelled population of a scratch database: the persons (as groups of patients)
 * and the POSSIBLE_MATCH questions of an initial load equal those of the stored linker after both re-evaluation
 * passes; every patient has its block keys and history; it refuses to run over links, and twice at once; a
 * patient ingest linked meanwhile keeps its links.
 */
describe('IdentityInitialLoad', () => {
  let drop: () => Promise<void>;
  let sql: postgres.Sql;
  let store: FhirStore;
  let index: Awaited<ReturnType<typeof openIdentityIndex>>;
  let dataSource: DataSource;
  const truth = new Map<string, string>(); // patient id → the person behind it

  beforeAll(async () => {
    const scratch = await createScratchDatabase(
      TEST_DATABASE_URL,
      `continuum_initial_load_${uniqueSuffix()}`,
    );
    drop = scratch.drop;
    sql = createSql(scratch.config, { applicationName: 'identity-initial-load-test' });
    store = createFhirStore(sql);
    index = await openIdentityIndex({ ...scratch.config, poolSize: 4 });
    dataSource = index.dataSource;
    const bySource = new Map<string, Patient[]>();
    for (const record of generateLabelledPopulation({ seed: 'initial-load', persons: 300 })) {
      truth.set(record.patient.id!, record.truthPersonId);
      const source = record.sourceSystem;
      bySource.set(source, [...(bySource.get(source) ?? []), record.patient]);
    }
    for (const [sourceSystem, patients] of bySource)
      await store.upsertMany(
        patients.map((resource) => ({ resource })),
        { sourceSystem },
      );
  }, 120_000);
  afterAll(async () => {
    await index?.close();
    await sql?.end({ timeout: 5 });
    await drop?.();
  });

  const clearIndex = () =>
    sql`TRUNCATE identity_link, identity_link_event, identity_block_key, identity_person CASCADE`;

  /** The index as groups of patients (person ids differ between runs) and its open questions. */
  async function snapshot() {
    const links = await sql<{ patient_id: string; person_id: string; state: string }[]>`
      SELECT patient_id, person_id::text, state FROM identity_link ORDER BY patient_id, person_id`;
    const members = new Map<string, string[]>();
    for (const link of links.filter((each) => each.state === 'MATCH'))
      members.set(link.person_id, [...(members.get(link.person_id) ?? []), link.patient_id]);
    const anchor = (personId: string) => (members.get(personId) ?? []).slice().sort()[0];
    return {
      persons: [...members.values()].map((group) => group.sort().join(' ')).sort(),
      possible: links
        .filter((each) => each.state === 'POSSIBLE_MATCH')
        .map((each) => `${each.patient_id} ~ ${anchor(each.person_id)}`)
        .sort(),
    };
  }

  it('records the persons and doubts the stored linker records, with block keys and history', async () => {
    await clearIndex();
    const initial = await new IdentityRebuild(dataSource, index.linker, index.initialLoad).rebuild({
      batchSize: 97,
    });
    expect(initial.mode).toBe('initial-load');
    expect(initial.linked).toBe(truth.size);
    const loaded = await snapshot();

    await clearIndex();
    const stored = await new IdentityRebuild(dataSource, index.linker).rebuild({ batchSize: 97 });
    expect(stored.mode).toBe('stored');
    const linkedOneByOne = await snapshot();

    expect(loaded.persons).toEqual(linkedOneByOne.persons);
    expect(loaded.possible).toEqual(linkedOneByOne.possible);
    // not trivially equal: people were joined across sources, and the population is linked well
    expect(loaded.persons.length).toBeLessThan(truth.size);
    const wronglyJoined = loaded.persons.filter(
      (group) => new Set(group.split(' ').map((id) => truth.get(id))).size > 1,
    );
    expect(wronglyJoined).toEqual([]);
  }, 300_000);

  it('leaves every patient with block keys and a history event, and a rerun changes nothing', async () => {
    await clearIndex();
    const rebuild = new IdentityRebuild(dataSource, index.linker, index.initialLoad);
    await rebuild.rebuild({ batchSize: 500 });
    const [{ unkeyed, unrecorded }] = await sql<{ unkeyed: string; unrecorded: string }[]>`
      SELECT
        (SELECT count(*) FROM resource r WHERE r.resource_type = 'Patient'
           AND NOT EXISTS (SELECT 1 FROM identity_block_key k WHERE k.patient_id = r.id)) AS unkeyed,
        (SELECT count(*) FROM identity_link l
           WHERE NOT EXISTS (SELECT 1 FROM identity_link_event e
                             WHERE e.patient_id = l.patient_id AND e.person_id = l.person_id)) AS unrecorded`;
    expect(Number(unkeyed)).toBe(0);
    expect(Number(unrecorded)).toBe(0);
    const before = await snapshot();
    const [{ events }] = await sql<{ events: string }[]>`SELECT count(*) AS events FROM identity_link_event`;
    const again = await rebuild.rebuild({ batchSize: 500 });
    expect(again.mode).toBe('stored'); // the index is no longer empty
    expect(await snapshot()).toEqual(before);
    expect(
      (await sql<{ events: string }[]>`SELECT count(*) AS events FROM identity_link_event`)[0].events,
    ).toBe(events);
  }, 300_000);

  it('refuses to run over links, and while another load holds the lock', async () => {
    await expect(index.initialLoad.run()).rejects.toThrow(/already holds links/);
    await clearIndex();
    const holder = await sql.reserve();
    try {
      await holder`SELECT pg_advisory_lock(hashtextextended('identity:initial-load', 0))`;
      await expect(index.initialLoad.run()).rejects.toThrow(/another initial identity load is running/);
    } finally {
      await holder`SELECT pg_advisory_unlock(hashtextextended('identity:initial-load', 0))`;
      holder.release();
    }
  });

  it('keeps the links of the patients ingest linked while the load ran', async () => {
    await clearIndex();
    const last = await sql<{ id: string }[]>`
      SELECT id FROM resource WHERE resource_type = 'Patient' ORDER BY resource_key DESC LIMIT 40`;
    let started!: () => void;
    const firstPageWritten = new Promise<void>((resolve) => (started = resolve));
    const load = index.initialLoad.run({ pageSize: 20, onProgress: () => started() });
    await firstPageWritten;
    // ingest links the last-stored patients one by one while the load works its way towards them
    const byIngest = new Map<string, string>();
    for (const { id } of last) {
      const [person] = [...(await index.linker.linkStored([id])).values()];
      byIngest.set(id, person!);
    }
    const report = await load;
    expect(report.alreadyLinked).toBeGreaterThan(0);
    expect(report.linked + report.alreadyLinked).toBe(truth.size);
    const matches = await sql<{ patient_id: string; person_id: string }[]>`
      SELECT patient_id, person_id::text FROM identity_link WHERE state = 'MATCH'`;
    expect(matches).toHaveLength(truth.size); // one MATCH each: never linked twice
    const personOf = new Map(matches.map((row) => [row.patient_id, row.person_id]));
    const keptByIngest = [...byIngest].filter(([id, person]) => personOf.get(id) === person);
    expect(keptByIngest.length).toBeGreaterThanOrEqual(report.alreadyLinked);
  }, 300_000);
});
