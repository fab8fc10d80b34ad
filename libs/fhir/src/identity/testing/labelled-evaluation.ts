import { candidatePairs } from '../blocking';
import { compareInto } from '../compare';
import { MATCH_FIELDS, MATCH_LEVELS, isNeutralLevel, type MatchField } from '../comparison-levels';
import type { MatchLevelProbabilities, MatchModel } from '../match-model';
import { prepare, type PreparedRecord } from '../prepared-record';
import { score, type MatchDecision } from '../scoring';
import { NAME_ORIGINS, type NameOrigin, type SyntheticPopulation } from './synthetic-population';

// What the labels of a synthetic population say about the matcher.

export interface PairwiseAccuracy {
  truePairs: number;
  candidatePairs: number;
  /** True pairs that blocking produced. */
  blockedTruePairs: number;
  match: { predicted: number; correct: number; precision: number };
  /** MATCH ∪ POSSIBLE_MATCH, over all true pairs (blocking misses count as misses). */
  recall: number;
  recallByOrigin: Record<NameOrigin, number>;
}

/** Scores every candidate pair and compares the decisions with the labels. */
export function pairwiseAccuracy(population: SyntheticPopulation, model: MatchModel): PairwiseAccuracy {
  const prepared: PreparedRecord[] = population.records.map(prepare);
  const pairs = candidatePairs(prepared);
  const truePairsByOrigin = new Map<NameOrigin, number>();
  const foundByOrigin = new Map<NameOrigin, number>();
  const size = new Map<number, number>();
  population.person.forEach((p) => size.set(p, (size.get(p) ?? 0) + 1));
  const firstRecordOf = new Map<number, number>();
  population.person.forEach((p, index) => firstRecordOf.has(p) || firstRecordOf.set(p, index));
  let truePairs = 0;
  for (const [p, n] of size) {
    const count = (n * (n - 1)) / 2;
    truePairs += count;
    const origin = population.origin[firstRecordOf.get(p) ?? 0];
    truePairsByOrigin.set(origin, (truePairsByOrigin.get(origin) ?? 0) + count);
  }
  let blockedTruePairs = 0;
  let predicted = 0;
  let correct = 0;
  let found = 0;
  for (let k = 0; k < pairs.count; k++) {
    const i = pairs.left[k];
    const j = pairs.right[k];
    const same = population.person[i] === population.person[j];
    if (same) blockedTruePairs++;
    const decision: MatchDecision = score(prepared[i], prepared[j], model).decision;
    if (decision === 'MATCH') {
      predicted++;
      if (same) correct++;
    }
    if (same && decision !== 'NO_MATCH') {
      found++;
      const origin = population.origin[i];
      foundByOrigin.set(origin, (foundByOrigin.get(origin) ?? 0) + 1);
    }
  }
  const recallByOrigin = Object.fromEntries(
    NAME_ORIGINS.map((origin) => [
      origin,
      (foundByOrigin.get(origin) ?? 0) / (truePairsByOrigin.get(origin) || 1),
    ]),
  ) as Record<NameOrigin, number>;
  return {
    truePairs,
    candidatePairs: pairs.count,
    blockedTruePairs,
    match: { predicted, correct, precision: predicted ? correct / predicted : 1 },
    recall: truePairs ? found / truePairs : 1,
    recallByOrigin,
  };
}

/**
 * What the labels say: the level distribution (m) among the true pairs of a population (all pairs of each
 * person's records), the share of true pairs where each field is compared, and λ.
 */
export function labelledLevels(population: SyntheticPopulation, records: readonly PreparedRecord[]) {
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
