import 'reflect-metadata';
import { openIdentityDataSource } from './identity-data-source';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommunityGenerator, createCommunity, DEFAULT_TODAY } from '@continuum/generator';
import { TEST_DATABASE_URL } from '@continuum/testing';
import type { Patient } from 'fhir/r4';
import type postgres from 'postgres';
import { DataSource } from 'typeorm';
import { createFhirStore } from '../fhir-store.factory';
import { createScratchDatabase, createSql } from '../outbox/testing/scratch-database';
import { IdentityLinks } from './identity-links.repository';
import { IdentityLinker } from './identity.linker';
import { PersonQueries } from './person.queries';

/** The demo's community, as scripts/demo.sh generates it (its defaults read from the script, so they stay in step). */
function demoDefaults(): { patients: number; seed: string } {
  const script = readFileSync(join(__dirname, '../../../../scripts/demo.sh'), 'utf8');
  const patients = /DEMO_PATIENTS="\$\{DEMO_PATIENTS:-(\d+)\}"/.exec(script)?.[1];
  const seed = /DEMO_SEED="\$\{DEMO_SEED:-([^}]+)\}"/.exec(script)?.[1];
  if (!patients || !seed)
    throw new Error('scripts/demo.sh no longer sets DEMO_PATIENTS and DEMO_SEED defaults');
  return { patients: Number(patients), seed };
}

describe("the demo's community, stored and linked by the matcher", () => {
  const { patients, seed } = demoDefaults();
  let sql: postgres.Sql;
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  /** Each source Patient's generated person: the truth the linker must find. */
  const personOfPatient = new Map<string, number>();

  beforeAll(async () => {
    const database = await createScratchDatabase(
      TEST_DATABASE_URL,
      `continuum_demo_identity_${Date.now().toString(36)}`,
    );
    drop = database.drop;
    sql = createSql(database.config);
    const store = createFhirStore(sql, {});
    const generator = new CommunityGenerator({ seed, formats: ['ndjson'] });
    // the NDJSON view carries no meta.source: a Patient's source is the one whose local id system it holds
    const sourceOfIdSystem = new Map(
      createCommunity(seed, new Date(DEFAULT_TODAY)).sources.map((source) => [
        source.patientIdSystem,
        source.id,
      ]),
    );
    const bySource = new Map<string, Patient[]>();
    for (let i = 0; i < patients; i++)
      for (const resource of generator.person(i).resources)
        if (resource.resourceType === 'Patient') {
          const patient = JSON.parse(resource.json) as Patient;
          personOfPatient.set(patient.id!, i);
          const source = patient.identifier
            ?.map((identifier) => sourceOfIdSystem.get(identifier.system ?? ''))
            .find(Boolean);
          if (!source) throw new Error(`Patient ${patient.id} names no source's local id`);
          bySource.set(source, [...(bySource.get(source) ?? []), patient]);
        }
    for (const [sourceSystem, group] of bySource)
      await store.upsertMany(
        group.map((resource) => ({ resource })),
        { sourceSystem },
      );
    dataSource = await openIdentityDataSource(database.config);
    const linker = new IdentityLinker(dataSource, new IdentityLinks(dataSource));
    await linker.linkStored([...personOfPatient.keys()]);
  }, 240_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await sql?.end();
    await drop?.();
  });

  it('has a person whose records come from three or more sources, all of them one generated human', async () => {
    const persons = await new PersonQueries(sql).personsAcrossSources(3);
    expect(persons.length).toBeGreaterThan(0);
    const [person] = persons;
    const rows = await sql<{ source: string }[]>`
      SELECT DISTINCT content #>> '{meta,source}' AS source FROM resource
      WHERE resource_type = 'Patient' AND id = ANY(${person.patientIds}::text[])`;
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.map((row) => row.source).sort()).toEqual([...person.sources].sort());
    expect(new Set(person.patientIds.map((id) => personOfPatient.get(id))).size).toBe(1);
  });

  it('joins no two generated humans into one person', async () => {
    const links = await sql<{ person_id: string; patient_id: string }[]>`
      SELECT person_id::text, patient_id FROM identity_link WHERE state = 'MATCH'`;
    const humans = new Map<string, Set<number | undefined>>();
    for (const link of links)
      humans.set(
        link.person_id,
        (humans.get(link.person_id) ?? new Set()).add(personOfPatient.get(link.patient_id)),
      );
    for (const set of humans.values()) expect(set.size).toBe(1);
  });
});
