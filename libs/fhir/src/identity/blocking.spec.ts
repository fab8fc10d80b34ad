import { blockingKeysOf, candidatePairs, DEFAULT_BLOCKING_RULES, type BlockingRule } from './blocking';
import { demographicsOf } from './demographics';
import { aPatient, aRecord, NHS_NUMBERS, type PatientFacts } from './testing/patients';
import { syntheticPopulation } from './testing/synthetic-population';

const [NHS_A, NHS_B, NHS_C] = NHS_NUMBERS;

const richard: PatientFacts = {
  nhs: NHS_A,
  family: 'Smith',
  given: ['Richard'],
  birthDate: '1970-09-11',
  postcode: 'LS17 7DF',
};

describe('blocking', () => {
  it('gives each record its keys, namespaced by rule, ready to serialise linking per block', () => {
    expect(blockingKeysOf(aRecord(richard))).toEqual([
      `nhs-number:${NHS_A}`,
      'birth-date+name-key:1970-09-11:SM0',
      'birth-date+name-key:1970-09-11:RXRT',
      'postcode+given-key+birth-year:LS177DF:RXRT:1970',
      'family+given-initial+birth-year:smith:r:1970',
    ]);
    // Demographics are prepared on the way; a record missing a rule's fields gets no key from it.
    expect(blockingKeysOf(demographicsOf(aPatient({ family: 'Mensah', given: ['Kofi'] })))).toEqual([]);
  });

  it('keys a re-issued record by its superseded numbers too, so it meets the records that still carry them', () => {
    const keys = blockingKeysOf(aRecord({ nhs: NHS_B, oldNhs: [NHS_C] }));
    expect(keys).toEqual([`nhs-number:${NHS_B}`, `nhs-number:${NHS_C}`]);
  });

  it('lets transposed names meet: birth date with the family key or the given key', () => {
    const a = blockingKeysOf(aRecord({ family: 'Chen', given: ['Wei'], birthDate: '1979-05-30' }));
    const b = blockingKeysOf(aRecord({ family: 'Wei', given: ['Chen'], birthDate: '1979-05-30' }));
    expect(a.filter((key) => b.includes(key))).toHaveLength(2);
  });

  it('produces each candidate pair once and reports what every rule produced', () => {
    const records = [
      aRecord(richard), // 0
      aRecord({ ...richard, postcode: 'LS6 2AB' }), // 1: NHS, birth date + names, family + initial
      aRecord({ ...richard, nhs: undefined, birthDate: '1970-11-09' }), // 2: postcode + given + year, family…
      aRecord({ ...richard, nhs: NHS_B, family: 'Okafor', given: ['Chidi'], birthDate: '1985-01-01' }), // 3: none
    ];
    const pairs = candidatePairs(records);
    const listed = Array.from({ length: pairs.count }, (_, k) => [
      pairs.left[k],
      pairs.right[k],
      pairs.rule[k],
    ]);
    expect(listed).toEqual([
      [0, 1, 0],
      [0, 2, 2],
      [1, 2, 3],
    ]);
    expect(pairs.rules).toEqual([
      { rule: 'nhs-number', blocks: 2, pairs: 1, newPairs: 1, largestBlock: 2, oversizedBlocks: 0 },
      { rule: 'birth-date+name-key', blocks: 6, pairs: 1, newPairs: 0, largestBlock: 2, oversizedBlocks: 0 },
      {
        rule: 'postcode+given-key+birth-year',
        blocks: 3,
        pairs: 1,
        newPairs: 1,
        largestBlock: 2,
        oversizedBlocks: 0,
      },
      {
        rule: 'family+given-initial+birth-year',
        blocks: 2,
        pairs: 3,
        newPairs: 1,
        largestBlock: 3,
        oversizedBlocks: 0,
      },
    ]);
    expect(pairs.rules.reduce((sum, rule) => sum + rule.newPairs, 0)).toBe(pairs.count);
  });

  it('skips a block too large to be a person (a shared placeholder) and still finds its pairs by other rules', () => {
    const byPlaceholder: BlockingRule = {
      name: 'placeholder',
      description: 'everyone born on the placeholder date',
      fields: ['birthDate'],
      keys: (record) => [`placeholder:${record.birthDate}`],
    };
    const records = ['Ann', 'Bea', 'Cy', 'Di'].map((given, index) =>
      aRecord({
        given: [given],
        family: 'Unknown',
        birthDate: '1900-01-01',
        nhs: index < 2 ? NHS_A : undefined,
      }),
    );
    const pairs = candidatePairs(records, {
      rules: [byPlaceholder, DEFAULT_BLOCKING_RULES[0]],
      maxBlockSize: 3,
    });
    expect(pairs.rules[0]).toMatchObject({
      rule: 'placeholder',
      pairs: 0,
      largestBlock: 4,
      oversizedBlocks: 1,
    });
    expect(pairs.rules[1]).toMatchObject({ rule: 'nhs-number', pairs: 1, newPairs: 1 });
    expect(pairs.count).toBe(1);
  });

  it('finds nearly every true pair of a labelled population among a small share of all pairs', () => {
    const population = syntheticPopulation({ persons: 2000, seed: 5, missingNhs: 0.5 });
    const pairs = candidatePairs(population.records);
    let truePairs = 0;
    const sizes = new Map<number, number>();
    population.person.forEach((person) => sizes.set(person, (sizes.get(person) ?? 0) + 1));
    sizes.forEach((size) => (truePairs += (size * (size - 1)) / 2));
    let found = 0;
    for (let k = 0; k < pairs.count; k++)
      if (population.person[pairs.left[k]] === population.person[pairs.right[k]]) found++;
    const n = population.records.length;
    expect(found / truePairs).toBeGreaterThan(0.99);
    expect(pairs.count / ((n * (n - 1)) / 2)).toBeLessThan(0.001);
    expect(pairs.rules.map((rule) => rule.rule)).toEqual(DEFAULT_BLOCKING_RULES.map((rule) => rule.name));
  });
});
