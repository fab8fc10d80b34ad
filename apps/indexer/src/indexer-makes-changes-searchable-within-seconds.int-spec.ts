import type { Patient } from 'fhir/r4';
import { eventually, startIndexerTestApp, type IndexerTestApp } from './testing/indexer-test-app';

const aPatient = (id: string, family: string, given: string): Patient => ({
  resourceType: 'Patient',
  id,
  name: [{ family, given: [given] }],
  birthDate: '1961-03-14',
});

describe('the indexer makes committed changes searchable within seconds', () => {
  let app: IndexerTestApp;
  beforeAll(async () => (app = await startIndexerTestApp('pipeline')));
  afterAll(() => app.close());

  const found = async (name: string, id: string) =>
    (await app.finder.find({ name, birthDate: '1961-03-14' })).some((match) => match.id === id);

  it('indexes a create, then an update, then a delete, each through outbox, Kafka and Elasticsearch', async () => {
    const id = `pipeline-${app.suffix}`;
    await app.store.update(aPatient(id, 'Okonkwo', 'Adaeze'));
    const createdMs = await eventually(() => found('Okonkwo', id));
    expect(createdMs).toBeLessThan(10_000);

    await app.store.update(aPatient(id, 'Whitfield', 'Adaeze'));
    await eventually(async () => {
      const matches = await app.finder.find({ name: 'Whitfield Adaeze' });
      return matches[0]?.id === id && matches[0].versionId === 2;
    });

    await app.store.delete('Patient', id);
    await eventually(async () => !(await found('Whitfield', id)));
    const report = await app.verifier.verify({ resourceType: 'Patient' });
    expect(report.drift).toBe(0);
    expect(report.types).toEqual([
      expect.objectContaining({
        resourceType: 'Patient',
        postgres: { live: 0, total: 1 },
        elasticsearch: { live: 0, total: 1 },
      }),
    ]);
  });
});
