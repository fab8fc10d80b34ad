import { DEFAULT_MATCH_MODEL, type MatchModel } from './match-model';
import { score } from './scoring';
import { termFrequencies } from './term-frequencies';
import { aRecord } from './testing/patients';

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
