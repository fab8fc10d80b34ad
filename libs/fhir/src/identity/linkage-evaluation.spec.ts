import { linkageAccuracy, precisionRecallCurve, type LinkedRecordOutcome } from './linkage-evaluation';

const record = (
  truePerson: number,
  person: number,
  group = 'a',
  possible: number[] = [],
): LinkedRecordOutcome => ({
  truePerson,
  person,
  possible,
  group,
});

describe('linkage accuracy against the truth', () => {
  it('is perfect when every person is found whole and nobody is joined wrongly', () => {
    const accuracy = linkageAccuracy([
      record(1, 10),
      record(1, 10),
      record(2, 20),
      record(2, 20),
      record(3, 30),
    ]);
    expect(accuracy).toMatchObject({
      truePairs: 2,
      matchedPairs: 2,
      matchPrecision: 1,
      recall: 1,
      bcubed: { precision: 1, recall: 1, f1: 1 },
      truePersons: 3,
      predictedPersons: 3,
    });
  });

  it('counts a wrong join against pairwise and B-cubed precision', () => {
    // persons 1 (two records) and 2 (one record) all linked into one predicted person
    const accuracy = linkageAccuracy([record(1, 10), record(1, 10), record(2, 10)]);
    expect(accuracy.matchedPairs).toBe(3);
    expect(accuracy.correctMatchedPairs).toBe(1);
    expect(accuracy.matchPrecision).toBeCloseTo(1 / 3);
    // B-cubed precision per record: 2/3, 2/3, 1/3
    expect(accuracy.bcubed.precision).toBeCloseTo(5 / 9);
    expect(accuracy.bcubed.recall).toBe(1);
  });

  it('finds a split pair through a POSSIBLE_MATCH from either side, but not as MATCH recall', () => {
    const split = [record(1, 10), record(1, 11, 'a', [10])];
    expect(linkageAccuracy(split)).toMatchObject({ recall: 1, matchRecall: 0, foundPairs: 1 });
    const missed = [record(1, 10), record(1, 11)];
    expect(linkageAccuracy(missed)).toMatchObject({ recall: 0, bcubed: { precision: 1, recall: 0.5 } });
  });

  it('gives recall per group and the largest gap between groups', () => {
    const accuracy = linkageAccuracy([
      record(1, 10, 'english'),
      record(1, 10, 'english'),
      record(2, 20, 'south-asian'),
      record(2, 21, 'south-asian'),
      record(3, 30, 'south-asian'),
      record(3, 30, 'south-asian'),
    ]);
    expect(accuracy.byGroup).toEqual({
      english: { truePairs: 1, recall: 1 },
      'south-asian': { truePairs: 2, recall: 0.5 },
    });
    expect(accuracy.maxGroupGap).toBeCloseTo(0.5);
  });
});

describe('the precision–recall curve', () => {
  it('takes pairs at or above each threshold as links; recall is over every true pair, scored or not', () => {
    const curve = precisionRecallCurve([0.99, 0.6, 0.3, 0.01], [1, 0, 1, 0], 4, [0.5, 0.2, 0.001]);
    expect(curve).toEqual([
      { threshold: 0.5, predicted: 2, correct: 1, precision: 0.5, recall: 0.25 },
      { threshold: 0.2, predicted: 3, correct: 2, precision: 2 / 3, recall: 0.5 },
      { threshold: 0.001, predicted: 4, correct: 2, precision: 0.5, recall: 0.5 },
    ]);
  });
});
