import type { Encounter, Observation, Patient, Resource } from 'fhir/r4';
import type { SearchDocument } from '@continuum/fhir';
import { createPatientMergeService, type PatientMergeService } from '@continuum/store';
import { openSearchTestContext, type SearchTestContext } from '../testing/search-test-context';

/**
 * A merge and its unmerge reach Elasticsearch the way every write does: each re-pointed version is an outbox row,
 * relayed to the indexer (here drained directly into it, as the indexer app does through Kafka).
 */
describe('a patient merge re-points the Elasticsearch documents, and an unmerge points them back', () => {
  let context: SearchTestContext;
  let merges: PatientMergeService;
  beforeAll(async () => {
    context = await openSearchTestContext('merge');
    merges = createPatientMergeService(context.sql);
  });
  afterAll(() => context.close());

  const document = async (resourceType: string, id: string) => {
    const family = resourceType === 'Patient' ? 'patient' : 'clinical';
    const response = await context.client.get<SearchDocument>({
      index: context.naming.readAlias(family),
      id: `${resourceType}/${id}`,
    });
    return { version: response._version, source: response._source! };
  };

  it('moves the merged patient’s Encounter and Observation documents to the survivor, then back', async () => {
    const [m, s] = [`m-${context.suffix}`, `s-${context.suffix}`];
    const patient = (id: string): Patient => ({ resourceType: 'Patient', id, name: [{ family: 'Merge' }] });
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: `enc-${context.suffix}`,
      status: 'finished',
      class: { code: 'AMB' },
      subject: { reference: `Patient/${m}` },
    };
    const observation: Observation = {
      resourceType: 'Observation',
      id: `obs-${context.suffix}`,
      status: 'final',
      code: { text: 'Pulse' },
      subject: { reference: `Patient/${m}` },
    };
    for (const resource of [patient(m), patient(s), encounter, observation] as Resource[])
      await context.store.update(resource);
    await context.drainOutbox();
    expect((await document('Encounter', encounter.id!)).source).toMatchObject({
      compartments: [m],
      references: [`Patient/${m}`],
    });

    await merges.merge({
      mergedPatientId: m,
      survivingPatientId: s,
      agent: { display: 'RXX:PAS', role: 'author' },
    });
    await context.drainOutbox();
    for (const [type, id] of [
      ['Encounter', encounter.id!],
      ['Observation', observation.id!],
    ]) {
      const indexed = await document(type, id);
      expect(indexed.version).toBe(2);
      expect(indexed.source.compartments).toEqual([s]);
      expect(indexed.source.references).toContain(`Patient/${s}`);
      expect(indexed.source.references).not.toContain(`Patient/${m}`);
    }
    expect((await document('Patient', m)).version).toBe(2); // inactive, replaced-by: indexed too

    await merges.unmerge({ mergedPatientId: m, agent: { display: 'operator-1', role: 'performer' } });
    await context.drainOutbox();
    const back = await document('Encounter', encounter.id!);
    expect(back.version).toBe(3);
    expect(back.source.compartments).toEqual([m]);
  });
});
