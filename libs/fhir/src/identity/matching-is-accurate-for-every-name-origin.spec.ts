import { DEFAULT_MATCH_MODEL, type MatchModel } from './match-model';
import { pairwiseAccuracy } from './testing/labelled-evaluation';
import { NAME_ORIGINS, syntheticPopulation } from './testing/synthetic-population';
import { trainMatchModel } from './training';

// A labelled population where most records from sources other than the GP carry no NHS number, so demographics
// must do the work: names of six origins (British, South Asian, East and West African, Eastern European,
// Chinese), typos, familiar forms, transposed names, 1 January birth dates, moves, twins and households.
const population = syntheticPopulation({ persons: 3000, seed: 13, missingNhs: 0.7 });

describe.each<[string, () => MatchModel]>([
  ['the default model', () => DEFAULT_MATCH_MODEL],
  [
    'a model trained on the population',
    () => trainMatchModel(population.records, { uSamples: 200_000, seed: 1 }),
  ],
])('%s', (_, modelOf) => {
  let accuracy: ReturnType<typeof pairwiseAccuracy>;
  beforeAll(() => {
    accuracy = pairwiseAccuracy(population, modelOf());
  }, 120_000);

  it('links automatically with precision ≥ 0.999 and finds ≥ 0.98 of true pairs as MATCH or POSSIBLE_MATCH', () => {
    expect(accuracy.match.precision).toBeGreaterThanOrEqual(0.999);
    expect(accuracy.recall).toBeGreaterThanOrEqual(0.98);
  });

  it('leaves no name origin more than 2 points of recall below another', () => {
    const recalls = NAME_ORIGINS.map((origin) => accuracy.recallByOrigin[origin]);
    for (const recall of recalls) expect(recall).toBeGreaterThanOrEqual(0.98);
    expect(Math.max(...recalls) - Math.min(...recalls)).toBeLessThanOrEqual(0.02);
  });
});
