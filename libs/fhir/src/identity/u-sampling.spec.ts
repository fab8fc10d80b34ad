import { DEFAULT_MATCH_MODEL } from './match-model';
import { prepare } from './prepared-record';
import { labelledLevels } from './testing/labelled-evaluation';
import { syntheticPopulation } from './testing/synthetic-population';
import { estimateU } from './u-sampling';

describe('u by random sampling', () => {
  it('measures how often different people agree at each level', () => {
    // One record per person: every random pair is two different people.
    const population = syntheticPopulation({ persons: 2500, seed: 3 });
    const seen = new Set<number>();
    const records = population.records.filter((_, index) => {
      const person = population.person[index];
      return !seen.has(person) && seen.add(person) !== undefined;
    });
    const estimate = estimateU(records, { samples: 100_000, seed: 9 });
    const frequencies = new Map<string, number>();
    const prepared = records.map(prepare);
    prepared.forEach(({ family }) => frequencies.set(family, (frequencies.get(family) ?? 0) + 1));
    const sumOfSquares = [...frequencies.values()].reduce(
      (sum, count) => sum + (count / records.length) ** 2,
      0,
    );

    expect(estimate.samples).toBe(100_000);
    expect(estimate.u.sex[0]).toBeCloseTo(0.5, 1);
    expect(estimate.u.family[0]).toBeGreaterThan(sumOfSquares * 0.85);
    expect(estimate.u.family[0]).toBeLessThan(sumOfSquares * 1.15);
    expect(estimate.u.birthDate[0]).toBeLessThan(2e-4); // ~1 / (90 years × 336 days), twins aside
    expect(estimate.u.postcode[0]).toBeLessThan(1e-3); // the same postcode
    expect(estimate.u.postcode[3]).toBeGreaterThan(0.5); // different areas (five areas here)
    // Never seen: the fallback's u, which is below what 100,000 pairs can resolve.
    expect(estimate.u.nhsNumber[0]).toBe(DEFAULT_MATCH_MODEL.fields.nhsNumber['verified-equal'].u);
    const sample = (seed: number) => estimateU(records, { samples: 1000, seed });
    expect(sample(9)).toEqual(sample(9));
    expect(sample(9)).not.toEqual(sample(10));
  });

  it('takes the matches a small population’s random pairs contain back out, given λ and m', () => {
    const population = syntheticPopulation({ persons: 1500, seed: 4 });
    const records = population.records.map(prepare);
    const truth = labelledLevels(population, records);
    const raw = estimateU(records, { samples: 150_000, seed: 2 });
    const corrected = estimateU(records, { samples: 150_000, seed: 2, correction: truth });
    // ~1 pair in 2,000 is a match here, and most matches share an NHS number.
    expect(raw.u.nhsNumber[0]).toBeGreaterThan(1e-4);
    expect(corrected.u.nhsNumber[0]).toBeLessThan(1e-6);
    expect(corrected.u.birthDate[0]).toBeLessThan(raw.u.birthDate[0]);
  });
});
