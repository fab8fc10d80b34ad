import { MATCH_FIELDS, MATCH_LEVELS, isNeutralLevel, type MatchField } from './comparison-levels';
import type { ComparisonPatterns } from './comparison-patterns';
import { DEFAULT_MATCH_MODEL, matchLevelProbabilities, type MatchLevelProbabilities } from './match-model';

export interface MEstimateOptions {
  /** The u of every level, held fixed (from estimateU). */
  u: MatchLevelProbabilities;
  /** Starting m and λ (default: the default model's). */
  initial?: { m: MatchLevelProbabilities; prior: number };
  /** Fields left out: their m is not estimated and they do not inform the posterior (a blocking rule's fields). */
  exclude?: readonly MatchField[];
  maxIterations?: number;
  /** Stop when no m and not λ move by more than this (default 1e-6). */
  tolerance?: number;
  /**
   * A Dirichlet prior on m: `pairs` pseudo-matches distributed as `m` (default: the initial m, 10 pairs). A level
   * the data never shows then keeps a small m near its prior instead of collapsing to zero.
   */
  smoothing?: { m: MatchLevelProbabilities; pairs: number };
}

export interface MEstimate {
  m: MatchLevelProbabilities;
  /** The fields whose m was estimated (not excluded, and compared in at least one pair). */
  estimated: MatchField[];
  /** The share of matches among the pairs (λ of this pair set, not of random pairs). */
  matchShare: number;
  /** The expected number of matching pairs, per field: those where the field was compared. */
  expectedMatches: Record<MatchField, number>;
  iterations: number;
  converged: boolean;
}

/** m per level by EM on the comparison vectors of candidate pairs, with u held fixed (Fellegi–Sunter mixture). */
export function estimateM(patterns: ComparisonPatterns, options: MEstimateOptions): MEstimate {
  const start = options.initial ?? { m: matchLevelProbabilities(DEFAULT_MATCH_MODEL, 'm'), prior: 0.5 };
  if (patterns.total === 0) throw new RangeError('estimateM needs at least one pair');
  const included = MATCH_FIELDS.map((field) => !(options.exclude ?? []).includes(field));
  const m = MATCH_FIELDS.map((field) => Float64Array.from(start.m[field]));
  const logU = MATCH_FIELDS.map((field) =>
    options.u[field].map((value) => Math.log(Math.max(value, 1e-300))),
  );
  let share = Math.min(Math.max(start.prior, 1e-6), 1 - 1e-6);
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-6;
  const neutral = MATCH_FIELDS.map((field) =>
    MATCH_LEVELS[field].map((_, level) => isNeutralLevel(field, level)),
  );
  const smoothing = options.smoothing ?? { m: start.m, pairs: 10 };
  const vectors: Uint8Array[] = [];
  const weights: number[] = [];
  patterns.forEach((levels, count) => {
    vectors.push(Uint8Array.from(levels));
    weights.push(count);
  });
  const numerators = MATCH_FIELDS.map((field) => new Float64Array(MATCH_LEVELS[field].length));
  const denominators = new Float64Array(MATCH_FIELDS.length);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    numerators.forEach((row) => row.fill(0));
    denominators.fill(0);
    let matches = 0;
    const logM = m.map((row) => row.map((value) => Math.log(Math.max(value, 1e-300))));
    for (let k = 0; k < vectors.length; k++) {
      const levels = vectors[k];
      let logMatch = Math.log(share);
      let logNonMatch = Math.log(1 - share);
      for (let f = 0; f < MATCH_FIELDS.length; f++) {
        if (!included[f] || neutral[f][levels[f]]) continue;
        logMatch += logM[f][levels[f]];
        logNonMatch += logU[f][levels[f]];
      }
      const posterior = weights[k] / (1 + Math.exp(logNonMatch - logMatch));
      matches += posterior;
      for (let f = 0; f < MATCH_FIELDS.length; f++) {
        if (!included[f] || neutral[f][levels[f]]) continue;
        numerators[f][levels[f]] += posterior;
        denominators[f] += posterior;
      }
    }
    let change = Math.abs(matches / patterns.total - share);
    share = Math.min(Math.max(matches / patterns.total, 1e-12), 1 - 1e-12);
    for (let f = 0; f < MATCH_FIELDS.length; f++) {
      if (!included[f] || denominators[f] === 0) continue;
      const prior = smoothing.m[MATCH_FIELDS[f]];
      const next = numerators[f].map((value, level) =>
        neutral[f][level]
          ? 0
          : Math.max((value + smoothing.pairs * prior[level]) / (denominators[f] + smoothing.pairs), 1e-9),
      );
      const sum = next.reduce((total, value) => total + value, 0);
      for (let level = 0; level < next.length; level++) {
        const value = next[level] / sum;
        change = Math.max(change, Math.abs(value - m[f][level]));
        m[f][level] = value;
      }
    }
    converged = change < tolerance;
  }
  const result = {} as MatchLevelProbabilities;
  const expectedMatches = {} as Record<MatchField, number>;
  MATCH_FIELDS.forEach((field, f) => {
    result[field] = m[f];
    expectedMatches[field] = included[f] ? denominators[f] : 0;
  });
  return {
    m: result,
    estimated: MATCH_FIELDS.filter((_, f) => included[f] && denominators[f] > 0),
    matchShare: share,
    expectedMatches,
    iterations,
    converged,
  };
}
