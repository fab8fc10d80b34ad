import type { Observation, Patient } from 'fhir/r4';
import { FullTextSearch } from '../query/full-text-search.service';
import { PatientFinder } from '../query/patient-finder.service';
import { openSearchTestContext, type SearchTestContext } from '../testing/search-test-context';
import { IndexVerifier } from './index.verifier';
import { ReindexJob } from './reindex.job';

const PATIENTS = 300;

describe('reindex and verify', () => {
  let context: SearchTestContext;
  let verifier: IndexVerifier;
  const patientId = (i: number) => `rx-${i}-${context.suffix}`;
  const aPatient = (i: number, family = 'Fairweather'): Patient => ({
    resourceType: 'Patient',
    id: patientId(i),
    name: [{ family, given: [`Given${i}`] }],
    birthDate: '1950-01-01',
  });
  const anObservation = (i: number): Observation => ({
    resourceType: 'Observation',
    id: `rx-obs-${i}-${context.suffix}`,
    status: 'final',
    code: { text: 'Peak flow reading' },
    subject: { reference: `Patient/${patientId(i)}` },
  });

  beforeAll(async () => {
    context = await openSearchTestContext('reindex');
    verifier = new IndexVerifier(context.client, context.source, context.indices);
    for (let i = 0; i < PATIENTS; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          context.store.update(aPatient(i + j)).then(() => context.store.update(anObservation(i + j))),
        ),
      );
    }
    await context.store.delete('Observation', `rx-obs-0-${context.suffix}`);
    await context.drainOutbox();
  });
  afterAll(() => context.close());

  it('rebuilds both families into fresh indices and swaps the aliases while searches keep answering', async () => {
    const finder = new PatientFinder(context.client, context.naming);
    const fullText = new FullTextSearch(context.client, context.naming);
    const before = await context.indices.readIndices('patient');
    let searching = true;
    const answers: number[] = [];
    const errors: unknown[] = [];
    const searches = (async () => {
      while (searching) {
        try {
          const [patients, observations] = await Promise.all([
            finder.find({ name: 'Fairweather', limit: 5 }),
            fullText.search({ content: 'peak flow', limit: 5 }),
          ]);
          answers.push(Math.min(patients.length, observations.length));
        } catch (error) {
          errors.push(error);
        }
      }
    })();

    // Live changes while the rebuild runs must end up in the new index too.
    let liveWrites: Promise<unknown> | undefined;
    const job = new ReindexJob(context.source, context.indices, context.writer, context.logger);
    for (const family of ReindexJob.familiesFor()) {
      const result = await job.run(family, {
        pageSize: 100,
        onProgress: ({ done }) => {
          if (family === 'patient' && done > 0 && !liveWrites) {
            liveWrites = Promise.all([1, 2, 3].map((i) => context.store.update(aPatient(i, 'Renamed')))).then(
              () => context.drainOutbox(),
            );
          }
        },
      });
      expect(result.failures).toBe(0);
      expect(result.replaced.length).toBe(1);
    }
    await liveWrites;
    searching = false;
    await searches;

    expect(errors).toEqual([]);
    expect(answers.length).toBeGreaterThan(5);
    expect(answers.every((count) => count === 5)).toBe(true);
    const after = await context.indices.readIndices('patient');
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    await context.indices.refresh();
    expect((await finder.find({ name: 'Renamed' })).map((match) => match.id)).toEqual(
      expect.arrayContaining([1, 2, 3].map(patientId)),
    );

    const report = await verifier.verify();
    expect(report.drift).toBe(0);
    expect(report.types).toEqual([
      expect.objectContaining({
        resourceType: 'Observation',
        postgres: { live: PATIENTS - 1, total: PATIENTS },
        elasticsearch: { live: PATIENTS - 1, total: PATIENTS },
      }),
      expect.objectContaining({
        resourceType: 'Patient',
        postgres: { live: PATIENTS, total: PATIENTS },
        elasticsearch: { live: PATIENTS, total: PATIENTS },
      }),
    ]);
  });

  it('finds drift injected on purpose: a missing document, a stale version and an extra document', async () => {
    const [index] = await context.indices.readIndices('patient');
    const s = context.suffix;
    await context.client.delete({
      index,
      id: `Patient/${patientId(10)}`,
      version: 99,
      version_type: 'external',
      refresh: true,
    });
    await context.client.index({
      index,
      id: `Patient/${patientId(11)}`,
      version: 7,
      version_type: 'external',
      document: {
        resourceType: 'Patient',
        id: patientId(11),
        versionId: 7,
        lastUpdated: new Date().toISOString(),
        deleted: false,
      },
      refresh: true,
    });
    await context.client.index({
      index,
      id: `Patient/ghost-${s}`,
      version: 1,
      version_type: 'external',
      document: {
        resourceType: 'Patient',
        id: `ghost-${s}`,
        versionId: 1,
        lastUpdated: new Date().toISOString(),
        deleted: false,
      },
      refresh: true,
    });

    const report = await verifier.verify({ resourceType: 'Patient', pageSize: 64 });
    expect(report.drift).toBe(3);
    expect(report.types[0]).toMatchObject({ resourceType: 'Patient', missing: 1, stale: 1, extra: 1 });
    expect(report.types[0].examples).toEqual(
      expect.arrayContaining([
        `missing Patient/${patientId(10)}`,
        `stale (postgres v1, index v7) Patient/${patientId(11)}`,
        `extra Patient/ghost-${s}`,
      ]),
    );
  });
});
