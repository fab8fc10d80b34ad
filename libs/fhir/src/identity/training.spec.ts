import { candidatePairs } from './blocking';
import { MATCH_FIELDS } from './comparison-levels';
import { matchLevelProbabilities, parseMatchModel, type MatchModel } from './match-model';
import { prepare } from './prepared-record';
import { score } from './scoring';
import { labelledLevels, pairwiseAccuracy } from './testing/labelled-evaluation';
import { syntheticPopulation } from './testing/synthetic-population';
import { trainMatchModel } from './training';

const SLOW = 120_000;

describe('trainMatchModel', () => {
  const population = syntheticPopulation({ persons: 3000, seed: 21, missingNhs: 0.5 });
  const records = population.records.map(prepare);
  let model: MatchModel;
  beforeAll(() => {
    model = trainMatchModel(records, { uSamples: 300_000, seed: 2 });
  }, SLOW);

  it('recovers the m-probabilities of the labelled true pairs, and λ', () => {
    const truth = labelledLevels(population, records);
    const trained = matchLevelProbabilities(model, 'm');
    for (const field of MATCH_FIELDS) {
      // NHS numbers: twins (different numbers, same everything else) pass for matches now and then.
      const tolerance = field === 'nhsNumber' ? 0.035 : 0.012;
      trained[field].forEach((value, level) =>
        expect(Math.abs(value - truth.m[field][level])).toBeLessThan(tolerance),
      );
    }
    expect(model.prior / truth.prior).toBeGreaterThan(0.9);
    expect(model.prior / truth.prior).toBeLessThan(1.2);
  });

  it('says how it was trained: blocking pair counts per rule and the EM sessions', () => {
    expect(model.provenance).toMatchObject({ origin: 'trained', records: records.length, uSamples: 300_000 });
    const blocking = model.provenance.blocking as { rule: string; newPairs: number }[];
    expect(blocking.reduce((sum, rule) => sum + rule.newPairs, 0)).toBe(candidatePairs(records).count);
    const sessions = model.provenance.sessions as { rule: string; converged: boolean; estimated: string[] }[];
    expect(sessions.every(({ converged }) => converged)).toBe(true);
    expect(sessions[0]).toMatchObject({
      rule: 'nhs-number',
      estimated: ['family', 'given', 'birthDate', 'postcode', 'sex'],
    });
  });

  it('is plain JSON: persisted and read back, it scores the same', () => {
    const restored = parseMatchModel(JSON.parse(JSON.stringify(model)));
    expect(restored).toEqual(JSON.parse(JSON.stringify(model)));
    for (let k = 0; k < 50; k++) {
      const [a, b] = [records[k], records[(k * 37 + 1) % records.length]];
      expect(score(a, b, restored)).toEqual(score(a, b, model));
    }
  });

  it(
    'links the population with high precision and recall',
    () => {
      const accuracy = pairwiseAccuracy(population, model);
      expect(accuracy.match.precision).toBeGreaterThanOrEqual(0.999);
      expect(accuracy.recall).toBeGreaterThanOrEqual(0.99);
    },
    SLOW,
  );
});
