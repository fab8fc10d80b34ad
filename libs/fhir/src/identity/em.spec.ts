import { MATCH_FIELDS, MATCH_LEVELS, isNeutralLevel, type MatchField } from './comparison-levels';
import { ComparisonPatterns } from './comparison-patterns';
import { estimateM } from './em';
import { DEFAULT_MATCH_MODEL, matchLevelProbabilities, type MatchLevelProbabilities } from './match-model';
import { seededRandom } from './seeded-random';

describe('m by EM', () => {
  it('recovers known m-probabilities and λ from comparison vectors drawn with them', () => {
    const random = seededRandom(42);
    const m = matchLevelProbabilities(DEFAULT_MATCH_MODEL, 'm');
    // u with more disagreement mass than random pairs show, as blocked pairs do.
    const u = matchLevelProbabilities(DEFAULT_MATCH_MODEL, 'u');
    const draw = (distribution: Float64Array) => {
      let target = random();
      for (let level = 0; level < distribution.length; level++) {
        target -= distribution[level];
        if (target < 0) return level;
      }
      return distribution.findLastIndex((p) => p > 0);
    };
    const patterns = new ComparisonPatterns();
    const levels = new Uint8Array(MATCH_FIELDS.length);
    const lambda = 0.3;
    for (let pair = 0; pair < 40_000; pair++) {
      const match = random() < lambda;
      MATCH_FIELDS.forEach((field, f) => {
        const absent = MATCH_LEVELS[field].length - 1; // the last level of every field is neutral (absent/unknown)
        levels[f] = random() < 0.1 ? absent : draw(match ? m[field] : u[field]);
      });
      patterns.add(levels);
    }
    const flat = (field: MatchField) =>
      Float64Array.from(MATCH_LEVELS[field], (_, level) => (isNeutralLevel(field, level) ? 0 : 1));
    const uniform = Object.fromEntries(
      MATCH_FIELDS.map((field) => [
        field,
        flat(field).map((x, _, all) => x / all.reduce((a, b) => a + b, 0)),
      ]),
    ) as MatchLevelProbabilities;
    const estimate = estimateM(patterns, { u, initial: { m: uniform, prior: 0.5 } });

    expect(estimate.converged).toBe(true);
    expect(estimate.matchShare).toBeCloseTo(lambda, 2);
    for (const field of MATCH_FIELDS)
      estimate.m[field].forEach((value, level) =>
        expect(Math.abs(value - m[field][level])).toBeLessThan(0.012),
      );
  });

  it('leaves excluded fields as they started', () => {
    const patterns = new ComparisonPatterns();
    patterns.add([0, 0, 0, 0, 0, 0], 50);
    patterns.add([3, 6, 8, 4, 3, 1], 50);
    const u = matchLevelProbabilities(DEFAULT_MATCH_MODEL, 'u');
    const initial = { m: matchLevelProbabilities(DEFAULT_MATCH_MODEL, 'm'), prior: 0.5 };
    const estimate = estimateM(patterns, { u, initial, exclude: ['birthDate'] });
    expect(estimate.estimated).toEqual(['nhsNumber', 'family', 'given', 'postcode', 'sex']);
    expect(estimate.m.birthDate).toEqual(initial.m.birthDate);
    expect(estimate.matchShare).toBeCloseTo(0.5, 2);
  });
});
