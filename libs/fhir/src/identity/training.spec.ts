import { candidatePairs } from './blocking';
import { compareInto } from './compare';
import { MATCH_FIELDS, MATCH_LEVELS, isNeutralLevel, type MatchField } from './comparison-levels';
import { ComparisonPatterns } from './comparison-patterns';
import { DEFAULT_MATCH_MODEL, parseMatchModel, type MatchModel } from './match-model';
import { prepare, type PreparedRecord } from './prepared-record';
import { score } from './scoring';
import { seededRandom } from './seeded-random';
import { aRecord } from './testing/patients';
import {
  pairwiseAccuracy,
  syntheticPopulation,
  type SyntheticPopulation,
} from './testing/synthetic-population';
import {
  estimateM,
  estimateU,
  matchLevelProbabilities,
  termFrequencies,
  trainMatchModel,
  type MatchLevelProbabilities,
} from './training';

const SLOW = 120_000;

/** The level distribution among the labelled true pairs of a population (all pairs of each person's records). */
function labelled(population: SyntheticPopulation, records: readonly PreparedRecord[]) {
  const byPerson = new Map<number, number[]>();
  population.person.forEach((person, index) =>
    byPerson.set(person, [...(byPerson.get(person) ?? []), index]),
  );
  const counts = MATCH_FIELDS.map((field) => new Float64Array(MATCH_LEVELS[field].length));
  const levels = new Uint8Array(MATCH_FIELDS.length);
  let pairs = 0;
  for (const indices of byPerson.values())
    for (let x = 0; x < indices.length; x++)
      for (let y = x + 1; y < indices.length; y++) {
        compareInto(records[indices[x]], records[indices[y]], levels);
        levels.forEach((level, f) => counts[f][level]++);
        pairs++;
      }
  const m = {} as MatchLevelProbabilities;
  const compared = {} as Record<MatchField, number>;
  MATCH_FIELDS.forEach((field, f) => {
    const total = counts[f].reduce(
      (sum, count, level) => (isNeutralLevel(field, level) ? sum : sum + count),
      0,
    );
    m[field] = counts[f].map((count, level) =>
      isNeutralLevel(field, level) || total === 0 ? 0 : count / total,
    );
    compared[field] = total / pairs;
  });
  const n = records.length;
  return { m, compared, pairs, prior: pairs / ((n * (n - 1)) / 2) };
}

describe('term frequencies', () => {
  const records = [
    ...Array.from({ length: 6 }, () => aRecord({ family: 'Smith', given: ['John'] })),
    ...Array.from({ length: 3 }, () => aRecord({ family: 'Patel', given: ['Priya'] })),
    aRecord({ family: 'Okonkwo', given: ['Chinedu'] }),
  ];

  it('counts each family name and first given name among the records', () => {
    const tables = termFrequencies(records, { minimum: 1e-6 });
    expect(tables.family).toEqual({
      values: { smith: 0.6, patel: 0.3 },
      floor: 0.1,
      minimum: 1e-6,
      records: 10,
    });
    expect(tables.given.values).toEqual({ john: 0.6, priya: 0.3 });
    expect(termFrequencies(records, { maxValues: 1 }).family).toMatchObject({
      values: { smith: 0.6 },
      floor: 0.3,
    });
  });

  it('weighs a common surname agreeing less than a rare one (the u of exact agreement is the name’s frequency)', () => {
    const population = [
      ...Array.from({ length: 120 }, (_, i) => aRecord({ family: 'Smith', given: [`g${i}`] })),
      ...Array.from({ length: 9_880 }, (_, i) => aRecord({ family: `family${i}`, given: [`g${i}`] })),
      aRecord({ family: 'Okonkwo', given: ['Chinedu'] }),
    ];
    const model: MatchModel = { ...DEFAULT_MATCH_MODEL, termFrequencies: termFrequencies(population) };
    const pair = (family: string) => {
      const facts = { family, given: ['Ann'], birthDate: '1950-05-05', postcode: 'WF1 2AP' };
      return score(aRecord(facts), aRecord(facts), model);
    };
    const smith = pair('Smith');
    const okonkwo = pair('Okonkwo');
    const levelWeight = Math.log2(0.86 / 0.0025);
    expect(smith.explanation.fields[1]).toMatchObject({ level: 'exact', termFrequency: 120 / 10_001 });
    expect(smith.explanation.fields[1].weight).toBeCloseTo(Math.log2(0.86 / (120 / 10_001)), 10);
    expect(smith.explanation.fields[1].weight).toBeLessThan(levelWeight);
    expect(okonkwo.explanation.fields[1].weight).toBeGreaterThan(levelWeight);
    expect(smith.weight).toBeLessThan(okonkwo.weight);
    // Without a table the level's own u applies.
    expect(
      score(aRecord({ family: 'Smith' }), aRecord({ family: 'Smith' }), DEFAULT_MATCH_MODEL).explanation
        .fields[1].weight,
    ).toBeCloseTo(levelWeight, 10);
  });
});

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
    const truth = labelled(population, records);
    const raw = estimateU(records, { samples: 150_000, seed: 2 });
    const corrected = estimateU(records, { samples: 150_000, seed: 2, correction: truth });
    // ~1 pair in 2,000 is a match here, and most matches share an NHS number.
    expect(raw.u.nhsNumber[0]).toBeGreaterThan(1e-4);
    expect(corrected.u.nhsNumber[0]).toBeLessThan(1e-6);
    expect(corrected.u.birthDate[0]).toBeLessThan(raw.u.birthDate[0]);
  });
});

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

describe('trainMatchModel', () => {
  const population = syntheticPopulation({ persons: 3000, seed: 21, missingNhs: 0.5 });
  const records = population.records.map(prepare);
  let model: MatchModel;
  beforeAll(() => {
    model = trainMatchModel(records, { uSamples: 300_000, seed: 2 });
  }, SLOW);

  it('recovers the m-probabilities of the labelled true pairs, and λ', () => {
    const truth = labelled(population, records);
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
