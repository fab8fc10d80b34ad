import type {
  AllergyIntolerance,
  Bundle,
  Condition,
  Encounter,
  Observation,
  Patient,
  Provenance,
  Resource,
} from 'fhir/r4';
import { MergeRefusedError, parseSearchRequest, readMergeProvenance } from '@continuum/fhir';
import type postgres from 'postgres';
import type { FhirStore } from '../fhir-store';
import { createPatientMergeService } from '../fhir-store.factory';
import { PersonQueries } from '../identity/person.queries';
import { failure, openTestStore, token } from '../testing/test-store';
import type { PatientMergeService } from './patient-merge.service';

const OPERATOR = { display: 'operator-1', role: 'performer' as const };

describe('patient merge: one transaction re-points every reference, and unmerge restores each one', () => {
  let sql: postgres.Sql;
  let store: FhirStore;
  let close: () => Promise<void>;
  let merges: PatientMergeService;

  beforeAll(async () => {
    ({ sql, store, close } = await openTestStore());
    merges = createPatientMergeService(sql);
  });
  afterAll(() => close());

  /** M with an Encounter, Observation, Condition, AllergyIntolerance and a Provenance; S with its own Encounter. */
  async function aDuplicatePair() {
    const t = token();
    const [m, s] = [`m-${t}`, `s-${t}`];
    const patient = (id: string): Patient => ({
      resourceType: 'Patient',
      id,
      active: true,
      name: [{ family: `Dup${t}` }],
    });
    await store.update(patient(m), { sourceSystem: 'RXX:PAS' });
    await store.update(patient(s), { sourceSystem: 'RXX:PAS' });
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: `enc-${t}`,
      status: 'finished',
      class: { code: 'IMP' },
      subject: { reference: `Patient/${m}` },
    };
    const observation: Observation = {
      resourceType: 'Observation',
      id: `obs-${t}`,
      status: 'final',
      code: { text: 'Haemoglobin' },
      subject: { reference: `Patient/${m}` },
      performer: [{ reference: `Patient/${m}` }],
      encounter: { reference: `Encounter/enc-${t}` },
    };
    const condition: Condition = {
      resourceType: 'Condition',
      id: `cond-${t}`,
      subject: { reference: `Patient/${m}` },
      code: { text: 'Asthma' },
    };
    const allergy: AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      id: `alg-${t}`,
      patient: { reference: `Patient/${m}` },
      clinicalStatus: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
        ],
      },
      code: { text: 'Penicillin' },
    };
    const own: Encounter = { ...encounter, id: `own-${t}`, subject: { reference: `Patient/${s}` } };
    const ingestProvenance: Provenance = {
      resourceType: 'Provenance',
      id: `prov-${t}`,
      target: [{ reference: `Patient/${m}` }],
      recorded: '2026-01-01T00:00:00Z',
      agent: [{ who: { display: 'RXX:PAS' } }],
    };
    for (const resource of [encounter, observation, condition, allergy, own, ingestProvenance] as Resource[])
      await store.update(resource, { sourceSystem: 'RXX:PAS' });
    return { t, m, s, encounter, observation, condition, allergy, own, ingestProvenance };
  }

  const search = async (type: string, query: string) =>
    (
      (await store.search(parseSearchRequest(type, [query.split('=') as [string, string]]))).matches ?? []
    ).map((match) => match.id);

  it('merges M into S: links, inactive M, every reference re-pointed as a new version, a Provenance, identity REDIRECT', async () => {
    const pair = await aDuplicatePair();
    const { m, s } = pair;
    const preview = await merges.preview({ mergedPatientId: m, survivingPatientId: s });
    expect(preview.counts).toEqual({ AllergyIntolerance: 1, Condition: 1, Encounter: 1, Observation: 1 });
    expect((await store.read<Patient>('Patient', m)).active).toBe(true); // the preview changed nothing

    const result = await merges.merge({ mergedPatientId: m, survivingPatientId: s, agent: OPERATOR });
    expect(result.outcome).toBe('merged');
    expect(result.counts).toEqual(preview.counts);

    const merged = await store.read<Patient>('Patient', m);
    expect(merged).toMatchObject({
      active: false,
      link: [{ other: { reference: `Patient/${s}` }, type: 'replaced-by' }],
    });
    expect(merged.meta?.source).toBe('RXX:PAS');
    expect((await store.read<Patient>('Patient', s)).link).toEqual([
      { other: { reference: `Patient/${m}` }, type: 'replaces' },
    ]);
    const observation = await store.read<Observation>('Observation', pair.observation.id!);
    expect(observation.subject?.reference).toBe(`Patient/${s}`);
    expect(observation.performer?.[0].reference).toBe(`Patient/${s}`);
    expect(observation.meta).toMatchObject({ versionId: '2', source: 'RXX:PAS' });
    expect((await store.read<Encounter>('Encounter', pair.encounter.id!)).subject?.reference).toBe(
      `Patient/${s}`,
    );
    expect((await store.read<Condition>('Condition', pair.condition.id!)).subject?.reference).toBe(
      `Patient/${s}`,
    );
    expect(
      (await store.read<AllergyIntolerance>('AllergyIntolerance', pair.allergy.id!)).patient?.reference,
    ).toBe(`Patient/${s}`);
    // the ingestion Provenance records what happened to M: it is history, not re-pointed
    expect((await store.read<Provenance>('Provenance', pair.ingestProvenance.id!)).target[0].reference).toBe(
      `Patient/${m}`,
    );
    // searches by the survivor find the merged patient's records (search rows re-written with the version)
    expect((await search('Encounter', `patient=${s}`)).sort()).toEqual(
      [pair.encounter.id, pair.own.id].sort(),
    );
    expect(await search('Encounter', `patient=${m}`)).toEqual([]);

    const provenance = await store.read<Provenance>('Provenance', result.provenanceId!);
    expect(provenance.activity?.coding?.[0]).toMatchObject({ code: 'merge' });
    expect(provenance.entity?.map((entity) => entity.what.reference)).toEqual([
      `Patient/${m}`,
      `Patient/${s}`,
    ]);
    expect(provenance.agent[0].who.display).toBe('operator-1');
    expect(provenance.target.map((target) => target.reference).sort()).toEqual(
      [
        `AllergyIntolerance/${pair.allergy.id}/_history/2`,
        `Condition/${pair.condition.id}/_history/2`,
        `Encounter/${pair.encounter.id}/_history/2`,
        `Observation/${pair.observation.id}/_history/2`,
        `Patient/${m}/_history/2`,
        `Patient/${s}/_history/2`,
      ].sort(),
    );
    expect(
      readMergeProvenance(provenance).targets.find((target) => target.resourceType === 'Observation')?.paths,
    ).toEqual(['/subject/reference', '/performer/0/reference']);

    // every version is in the outbox, so Elasticsearch and fhir.changes follow
    const changes = await sql<{ resource_type: string; id: string; version_id: number }[]>`
      SELECT resource_type, id, version_id FROM resource_change
      WHERE id = ANY(${[m, s, pair.observation.id!, result.provenanceId!]}::text[])`;
    expect(changes.map((row) => `${row.resource_type}/${row.id}/${row.version_id}`).sort()).toEqual(
      [
        `Observation/${pair.observation.id}/2`,
        `Observation/${pair.observation.id}/1`,
        `Patient/${m}/1`,
        `Patient/${m}/2`,
        `Patient/${s}/1`,
        `Patient/${s}/2`,
        `Provenance/${result.provenanceId}/1`,
      ].sort(),
    );

    // the master patient index: M redirects to S's person (MANUAL), so personOf(M) is S's person
    const [link] = await sql<{ state: string; origin: string }[]>`
      SELECT state, origin FROM identity_link WHERE patient_id = ${m} AND state IN ('MATCH', 'REDIRECT')`;
    expect(link).toEqual({ state: 'REDIRECT', origin: 'MANUAL' });
    expect(await new PersonQueries(sql).expand([m])).toEqual([m, s].sort());
  });

  it('is idempotent: the same merge again writes nothing', async () => {
    const { m, s } = await aDuplicatePair();
    await merges.merge({ mergedPatientId: m, survivingPatientId: s, agent: OPERATOR });
    const again = await merges.merge({ mergedPatientId: m, survivingPatientId: s, agent: OPERATOR });
    expect(again.outcome).toBe('unchanged');
    expect(again.provenanceId).toBeUndefined();
    expect((await store.read<Patient>('Patient', m)).meta?.versionId).toBe('2');
    expect((await store.read<Patient>('Patient', s)).meta?.versionId).toBe('2');
  });

  it('refuses a merge into itself, into a patient merged away, and of a patient merged elsewhere', async () => {
    const first = await aDuplicatePair();
    const second = await aDuplicatePair();
    const itself = await failure(
      merges.merge({ mergedPatientId: first.m, survivingPatientId: first.m, agent: OPERATOR }),
    );
    expect(itself).toBeInstanceOf(MergeRefusedError);
    expect((itself as MergeRefusedError).code).toBe('merge-into-itself');
    await merges.merge({ mergedPatientId: first.m, survivingPatientId: first.s, agent: OPERATOR });
    const intoMerged = await failure(
      merges.merge({ mergedPatientId: second.m, survivingPatientId: first.m, agent: OPERATOR }),
    );
    expect(intoMerged.status).toBe(422);
    expect((intoMerged as MergeRefusedError).code).toBe('merge-target-merged');
    expect(intoMerged.outcome.issue[0]).toMatchObject({ code: 'business-rule' });
    const elsewhere = await failure(
      merges.merge({ mergedPatientId: first.m, survivingPatientId: second.s, agent: OPERATOR }),
    );
    expect((elsewhere as MergeRefusedError).code).toBe('merged-elsewhere');
    // nothing of the refused merges was written
    expect((await store.read<Patient>('Patient', second.m)).meta?.versionId).toBe('1');
    expect(
      (await failure(merges.preview({ mergedPatientId: second.m, survivingPatientId: `none-${second.t}` })))
        .status,
    ).toBe(404);
  });

  it('stores a merged patient never seen before as the placeholder the A40 names, inactive and replaced-by', async () => {
    const { s, t } = await aDuplicatePair();
    const unseen = `unseen-${t}`;
    const result = await merges.merge({
      mergedPatientId: unseen,
      survivingPatientId: s,
      agent: { display: 'RXX:PAS', role: 'author' },
      sourceSystem: 'RXX:PAS',
      mergedPlaceholder: {
        resourceType: 'Patient',
        identifier: [{ system: 'https://example.org/mrn', value: t }],
      },
    });
    expect(result.outcome).toBe('merged');
    expect(await store.read<Patient>('Patient', unseen)).toMatchObject({
      active: false,
      identifier: [{ value: t }],
      link: [{ other: { reference: `Patient/${s}` }, type: 'replaced-by' }],
      meta: { versionId: '1', source: 'RXX:PAS' },
    });
  });

  it('M’s person follows S’s (its other records too), and unmerge gives both back the person they were', async () => {
    const { m, s } = await aDuplicatePair();
    const persons = new PersonQueries(sql);
    // M and a record from another source were one person before the merge
    const [person] = await sql<{ id: string }[]>`
      INSERT INTO identity_person (id, merged_into, version) VALUES (gen_random_uuid(), NULL, 1) RETURNING id`;
    for (const patient of [m, `${m}-gp`])
      await sql`INSERT INTO identity_link (patient_id, person_id, state, origin, version)
                VALUES (${patient}, ${person.id}, 'MATCH', 'AUTO', 1)`;
    expect(await persons.expand([m])).toEqual([m, `${m}-gp`].sort());
    const merge = await merges.merge({ mergedPatientId: m, survivingPatientId: s, agent: OPERATOR });
    // M's person follows S's: the GP record of the same human comes along, and the emptied person is folded
    expect(await persons.expand([m])).toEqual([m, `${m}-gp`, s].sort());
    expect(await persons.expand([`${m}-gp`])).toEqual([m, `${m}-gp`, s].sort());
    const [folded] = await sql<{ merged_into: string | null }[]>`
      SELECT merged_into FROM identity_person WHERE id = ${person.id}`;
    expect(folded.merged_into).not.toBeNull();
    const provenance = await store.read<Provenance>('Provenance', merge.provenanceId!);
    expect(readMergeProvenance(provenance)).toMatchObject({
      previousPerson: { personId: person.id, origin: 'AUTO' },
      movedPatientIds: [`${m}-gp`],
    });

    await merges.unmerge({ mergedPatientId: m, agent: OPERATOR });
    expect(await persons.expand([m])).toEqual([m, `${m}-gp`].sort());
    expect(await persons.expand([s])).toEqual([s]);
    const [restored] = await sql<{ merged_into: string | null }[]>`
      SELECT merged_into FROM identity_person WHERE id = ${person.id}`;
    expect(restored.merged_into).toBeNull();
    const events = await sql<{ state: string | null; actor: string }[]>`
      SELECT state, actor FROM identity_link_event WHERE patient_id = ${m} ORDER BY seq`;
    expect(events.map((event) => event.state)).toEqual([null, 'REDIRECT', null, 'MATCH']);
    expect(new Set(events.map((event) => event.actor))).toEqual(new Set(['operator-1']));
  });

  it('unmerge restores exactly the references the merge moved, resource by resource, with new versions', async () => {
    const pair = await aDuplicatePair();
    const { m, s } = pair;
    const personBefore = await new PersonQueries(sql).expand([m]);
    await merges.merge({ mergedPatientId: m, survivingPatientId: s, agent: OPERATOR });
    const result = await merges.unmerge({
      mergedPatientId: m,
      agent: OPERATOR,
      reason: 'two different people',
    });
    expect(result.restored).toHaveLength(4);

    for (const original of [
      pair.encounter,
      pair.observation,
      pair.condition,
      pair.allergy,
      pair.own,
    ] as Resource[]) {
      const now = await store.read(original.resourceType, original.id!);
      const { meta: _meta, ...content } = now;
      expect(content).toEqual(original);
    }
    expect((await store.read<Observation>('Observation', pair.observation.id!)).meta?.versionId).toBe('3');
    const history = (await store.history({ resourceType: 'Encounter', id: pair.encounter.id })) as Bundle;
    expect(history.entry).toHaveLength(3); // original, re-pointed, restored: history kept, never rewritten

    const merged = await store.read<Patient>('Patient', m);
    expect(merged.active).toBe(true);
    expect(merged.link).toBeUndefined();
    expect((await store.read<Patient>('Patient', s)).link).toBeUndefined();
    expect(await new PersonQueries(sql).expand([m])).toEqual(personBefore);
    expect(await search('Encounter', `patient=${m}`)).toEqual([pair.encounter.id]);

    const provenance = await store.read<Provenance>('Provenance', result.provenanceId);
    expect(provenance.activity?.coding?.[0].code).toBe('unmerge');
    expect((await failure(merges.unmerge({ mergedPatientId: m, agent: OPERATOR }))).status).toBe(422);
  });
});
