import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Patient } from 'fhir/r4';
import { eventually, startIndexerTestApp, type IndexerTestApp } from './testing/indexer-test-app';

const run = promisify(execFile);
const INFRA = resolve(__dirname, '../../../scripts/infra/infra.sh');
const elasticsearch = (action: 'stop-service' | 'start-service') =>
  run('bash', [INFRA, action, 'elasticsearch'], { timeout: 180_000 });

const aPatient = (id: string, family: string): Patient => ({
  resourceType: 'Patient',
  id,
  name: [{ family, given: ['Outage'] }],
});

describe('[slow] Elasticsearch stopped during ingestion and restarted', () => {
  let app: IndexerTestApp;
  beforeAll(async () => (app = await startIndexerTestApp('outage')));
  afterAll(() => app?.close());

  it('ends with the same counts and versions as Postgres: nothing lost, nothing stale', async () => {
    const id = (i: number) => `outage-${i}-${app.suffix}`;
    const write = (from: number, to: number, family: string) =>
      Promise.all(
        Array.from({ length: to - from }, (_, i) => app.store.update(aPatient(id(from + i), family))),
      );
    const noDrift = async () => (await app.verifier.verify({ resourceType: 'Patient' })).drift === 0;

    await write(0, 100, 'Before');
    await eventually(noDrift, 30_000, 500);

    try {
      await elasticsearch('stop-service');
      await write(0, 50, 'During'); // updates
      await write(100, 150, 'During'); // creates
      for (let i = 50; i < 60; i++) await app.store.delete('Patient', id(i));
      await new Promise((done) => setTimeout(done, 3_000)); // the consumer fails and retries meanwhile
    } finally {
      await elasticsearch('start-service');
    }

    await eventually(noDrift, 90_000, 1_000);
    const [patients] = (await app.verifier.verify({ resourceType: 'Patient' })).types;
    expect(patients).toMatchObject({
      postgres: { live: 140, total: 150 },
      elasticsearch: { live: 140, total: 150 },
      missing: 0,
      stale: 0,
      extra: 0,
    });
  }, 240_000);
});
