// How a linkage compares with the truth of a labelled population: pairwise and B-cubed figures, recall per
// subgroup, and the precision–recall curve of scored pairs. Pure arithmetic on labels; no matcher inside.

/** One record's truth and what the linker made of it. Persons are any integers (truth and predicted apart). */
export interface LinkedRecordOutcome {
  truePerson: number;
  /** The person the record was linked to (MATCH). */
  person: number;
  /** Persons it was proposed to as POSSIBLE_MATCH. */
  possible: readonly number[];
  /** A label of the true person (e.g. the name origin), for recall per subgroup. */
  group: string;
}

export interface LinkageAccuracy {
  records: number;
  truePersons: number;
  predictedPersons: number;
  /** Pairs of records of the same true person. */
  truePairs: number;
  /** Pairs of records the linker put in one person (automatic MATCH). */
  matchedPairs: number;
  /** Of those, pairs of the same true person. */
  correctMatchedPairs: number;
  matchPrecision: number;
  matchRecall: number;
  /** True pairs in one person, or joined by a POSSIBLE_MATCH from either record to the other's person. */
  foundPairs: number;
  /** foundPairs / truePairs: recall of MATCH ∪ POSSIBLE_MATCH. */
  recall: number;
  bcubed: { precision: number; recall: number; f1: number };
  /** Recall of MATCH ∪ POSSIBLE_MATCH per group, with its true pairs. */
  byGroup: Record<string, { truePairs: number; recall: number }>;
  /** The largest difference between two groups' recall (groups with at least one true pair). */
  maxGroupGap: number;
}

/** Scores a linkage against the truth. */
export function linkageAccuracy(outcomes: readonly LinkedRecordOutcome[]): LinkageAccuracy {
  const byTruth = groupIndices(outcomes.map((outcome) => outcome.truePerson));
  const byPerson = groupIndices(outcomes.map((outcome) => outcome.person));
  const possible = new Set<string>();
  outcomes.forEach((outcome, index) =>
    outcome.possible.forEach((person) => possible.add(`${index}:${person}`)),
  );

  const cells = new Map<string, number>();
  outcomes.forEach(({ truePerson, person }) => {
    const cell = `${truePerson}:${person}`;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
  });
  let correctMatchedPairs = 0;
  for (const n of cells.values()) correctMatchedPairs += pairsOf(n);
  let matchedPairs = 0;
  for (const members of byPerson.values()) matchedPairs += pairsOf(members.length);

  let truePairs = 0;
  let foundPairs = 0;
  const groups = new Map<string, { truePairs: number; found: number }>();
  for (const members of byTruth.values()) {
    const group = outcomes[members[0]].group;
    const tally = groups.get(group) ?? { truePairs: 0, found: 0 };
    groups.set(group, tally);
    for (let x = 0; x < members.length; x++)
      for (let y = x + 1; y < members.length; y++) {
        const i = members[x];
        const j = members[y];
        const found =
          outcomes[i].person === outcomes[j].person ||
          possible.has(`${i}:${outcomes[j].person}`) ||
          possible.has(`${j}:${outcomes[i].person}`);
        truePairs++;
        tally.truePairs++;
        if (found) {
          foundPairs++;
          tally.found++;
        }
      }
  }

  let bPrecision = 0;
  let bRecall = 0;
  outcomes.forEach(({ truePerson, person }) => {
    const both = cells.get(`${truePerson}:${person}`) ?? 0;
    bPrecision += both / (byPerson.get(person)?.length ?? 1);
    bRecall += both / (byTruth.get(truePerson)?.length ?? 1);
  });
  const n = outcomes.length || 1;
  const bcubed = { precision: bPrecision / n, recall: bRecall / n, f1: 0 };
  bcubed.f1 = harmonicMean(bcubed.precision, bcubed.recall);

  const byGroup: LinkageAccuracy['byGroup'] = {};
  for (const [group, tally] of [...groups].sort(([a], [b]) => a.localeCompare(b)))
    byGroup[group] = { truePairs: tally.truePairs, recall: ratio(tally.found, tally.truePairs) };
  const recalls = Object.values(byGroup)
    .filter((group) => group.truePairs > 0)
    .map((group) => group.recall);
  return {
    records: outcomes.length,
    truePersons: byTruth.size,
    predictedPersons: byPerson.size,
    truePairs,
    matchedPairs,
    correctMatchedPairs,
    matchPrecision: ratio(correctMatchedPairs, matchedPairs),
    matchRecall: ratio(correctMatchedPairs, truePairs),
    foundPairs,
    recall: ratio(foundPairs, truePairs),
    bcubed,
    byGroup,
    maxGroupGap: recalls.length ? Math.max(...recalls) - Math.min(...recalls) : 0,
  };
}

export interface PrecisionRecallPoint {
  threshold: number;
  /** Scored pairs at or above the threshold. */
  predicted: number;
  correct: number;
  precision: number;
  /** correct / all true pairs (pairs blocking never produced count as misses). */
  recall: number;
}

/**
 * The precision–recall curve of pairwise match probabilities: at each threshold, the scored pairs at or above it
 * taken as links. `truePairs` is every pair of records of one true person, scored or not.
 */
export function precisionRecallCurve(
  probabilities: ArrayLike<number>,
  same: ArrayLike<boolean | number>,
  truePairs: number,
  thresholds: readonly number[],
): PrecisionRecallPoint[] {
  return thresholds.map((threshold) => {
    let predicted = 0;
    let correct = 0;
    for (let k = 0; k < probabilities.length; k++)
      if (probabilities[k] >= threshold) {
        predicted++;
        if (same[k]) correct++;
      }
    return {
      threshold,
      predicted,
      correct,
      precision: ratio(correct, predicted),
      recall: ratio(correct, truePairs),
    };
  });
}

function groupIndices(keys: readonly number[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  keys.forEach((key, index) => {
    const members = groups.get(key);
    if (members) members.push(index);
    else groups.set(key, [index]);
  });
  return groups;
}

function pairsOf(n: number): number {
  return (n * (n - 1)) / 2;
}

/** A ratio with nothing to measure is perfect (no pairs predicted: no wrong ones). */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 1 : numerator / denominator;
}

function harmonicMean(a: number, b: number): number {
  return a + b === 0 ? 0 : (2 * a * b) / (a + b);
}
