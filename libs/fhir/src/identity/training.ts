import {
  DEFAULT_BLOCKING_RULES,
  candidatePairs,
  type BlockingRule,
  type BlockingRuleReport,
} from './blocking';
import { compareInto } from './compare';
import { MATCH_FIELDS, MATCH_LEVELS, isNeutralLevel, type MatchField } from './comparison-levels';
import { ComparisonPatterns } from './comparison-patterns';
import type { Demographics } from './demographics';
import {
  DEFAULT_MATCH_MODEL,
  MATCH_MODEL_FORMAT,
  type MatchFieldParameters,
  type MatchModel,
  type TermFrequencyTable,
} from './match-model';
import { asPrepared, type PreparedRecord } from './prepared-record';
import { seededRandom } from './seeded-random';

/** A probability per level, by field and level index (neutral levels hold 0). */
export type MatchLevelProbabilities = Record<MatchField, Float64Array>;

// ---------------------------------------------------------------------------------------------------------------
// Term frequencies

export interface TermFrequencyOptions {
  /** Names seen fewer times than this are not listed (default 2). */
  minCount?: number;
  /** At most this many names per table, the most frequent (default 50,000). */
  maxValues?: number;
  /** No name's frequency is taken below this (default 1e-4, see below). */
  minimum?: number;
}

/**
 * How often each family name and first given name occurs among the records. A name's frequency becomes the u of
 * its exact agreement. Unlisted names get the frequency of the most frequent name left out (or 1/records when
 * none was). Frequencies are not taken below `minimum` (1 in 10,000 by default): a rarer name would otherwise
 * outweigh a birth date, and family members share both a rare surname and a postcode.
 */
export function termFrequencies(
  records: Iterable<Demographics | PreparedRecord>,
  options: TermFrequencyOptions = {},
): { family: TermFrequencyTable; given: TermFrequencyTable } {
  const family = new Map<string, number>();
  const given = new Map<string, number>();
  let familyTotal = 0;
  let givenTotal = 0;
  for (const input of records) {
    const record = asPrepared(input);
    if (record.family) {
      family.set(record.family, (family.get(record.family) ?? 0) + 1);
      familyTotal++;
    }
    if (record.given) {
      given.set(record.given, (given.get(record.given) ?? 0) + 1);
      givenTotal++;
    }
  }
  return {
    family: frequencyTable(family, familyTotal, options),
    given: frequencyTable(given, givenTotal, options),
  };
}

function frequencyTable(counts: Map<string, number>, total: number, options: TermFrequencyOptions) {
  const minCount = options.minCount ?? 2;
  const maxValues = options.maxValues ?? 50_000;
  const minimum = options.minimum ?? 1e-4;
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept = sorted.filter(([, count]) => count >= minCount).slice(0, maxValues);
  const firstLeftOut = sorted[kept.length];
  const values: Record<string, number> = {};
  for (const [value, count] of kept) values[value] = count / total;
  return {
    values,
    floor: total === 0 ? 1 : (firstLeftOut ? firstLeftOut[1] : 1) / total,
    minimum,
    records: total,
  } satisfies TermFrequencyTable;
}

// ---------------------------------------------------------------------------------------------------------------
// u by random sampling

export interface UEstimateOptions {
  /** Random pairs to compare (default 1,000,000, at most all pairs). */
  samples?: number;
  seed?: number;
  /** Parameters for levels the sample never showed (default: the default model's u, capped at 1/observed). */
  fallback?: MatchModel;
  /**
   * A random pair is a match with probability λ, so the sample mixes matches in: of the pairs where a field was
   * compared, about samples·λ·c are matches (c: the share of matching pairs where the field is compared), spread
   * over the levels by m. Given λ, m and c (from EM), those are taken out; without them λ is taken as negligible,
   * which is right for a large population and wrong for a small one (λ ≈ 1/people).
   */
  correction?: { prior: number; m: MatchLevelProbabilities; compared: Record<MatchField, number> };
}

export interface UEstimate {
  u: MatchLevelProbabilities;
  /** The raw share of each level among the sampled pairs where the field was compared. */
  proportions: MatchLevelProbabilities;
  /** Pairs where the field had a non-neutral level. */
  observed: Record<MatchField, number>;
  samples: number;
}

/** u per level, from pairs of records drawn at random (two different records, uniformly). */
export function estimateU(
  records: readonly (Demographics | PreparedRecord)[],
  options: UEstimateOptions = {},
): UEstimate {
  const prepared = records.map(asPrepared);
  const n = prepared.length;
  if (n < 2) throw new RangeError('estimateU needs at least two records');
  const samples = Math.min(options.samples ?? 1_000_000, (n * (n - 1)) / 2);
  const random = seededRandom(options.seed ?? 1);
  const counts = MATCH_FIELDS.map((field) => new Float64Array(MATCH_LEVELS[field].length));
  const levels = new Uint8Array(MATCH_FIELDS.length);
  for (let s = 0; s < samples; s++) {
    const i = Math.floor(random() * n);
    let j = Math.floor(random() * (n - 1));
    if (j >= i) j++;
    compareInto(prepared[i], prepared[j], levels);
    for (let field = 0; field < MATCH_FIELDS.length; field++) counts[field][levels[field]]++;
  }
  return uFromCounts(counts, samples, options);
}

function uFromCounts(counts: Float64Array[], samples: number, options: UEstimateOptions): UEstimate {
  const fallback = options.fallback ?? DEFAULT_MATCH_MODEL;
  const u = {} as MatchLevelProbabilities;
  const proportions = {} as MatchLevelProbabilities;
  const observed = {} as Record<MatchField, number>;
  MATCH_FIELDS.forEach((field, f) => {
    const size = MATCH_LEVELS[field].length;
    const compared = counts[f].reduce(
      (sum, count, level) => (isNeutralLevel(field, level) ? sum : sum + count),
      0,
    );
    observed[field] = compared;
    proportions[field] = new Float64Array(size);
    u[field] = new Float64Array(size);
    const correction = options.correction;
    const matches = correction
      ? Math.min(samples * correction.prior * correction.compared[field], compared / 2)
      : 0;
    for (let level = 0; level < size; level++) {
      if (isNeutralLevel(field, level)) continue;
      const share = compared > 0 ? counts[f][level] / compared : 0;
      proportions[field][level] = share;
      const count = counts[f][level];
      const fromNonMatches = correction ? count - matches * correction.m[field][level] : count;
      // What is left after taking the matches out must stand above the sampling noise (two standard deviations
      // of the count); a level seen too rarely to measure keeps the fallback, unless the sample shows that to be
      // too high.
      const noise = correction ? Math.max(1, 2 * Math.sqrt(count)) : 1;
      const fallbackU = (fallback.fields[field] as Record<string, { u: number }>)[MATCH_LEVELS[field][level]]
        .u;
      u[field][level] =
        fromNonMatches >= noise
          ? Math.min(fromNonMatches / (compared - matches), 1)
          : Math.min(fallbackU, noise / Math.max(compared - matches, 1));
    }
  });
  return { u, proportions, observed, samples };
}

// ---------------------------------------------------------------------------------------------------------------
// m by expectation-maximisation

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

// ---------------------------------------------------------------------------------------------------------------
// The whole training

export interface TrainOptions {
  /** Thresholds, and parameters for whatever the data cannot estimate (default: DEFAULT_MATCH_MODEL). */
  base?: MatchModel;
  rules?: readonly BlockingRule[];
  maxBlockSize?: number;
  uSamples?: number;
  seed?: number;
  termFrequencies?: TermFrequencyOptions | false;
  maxIterations?: number;
}

/**
 * Trains a model on records (no labels): term frequencies; u from random pairs; then m by EM on each blocking
 * rule's pairs, leaving out the fields that rule agrees on (they agree by construction there), each field's m
 * averaged over the rules that could estimate it, weighted by their expected matches; λ from the expected matches
 * among all candidate pairs over all possible pairs (which assumes blocking misses few matches); then u corrected
 * for the matches in the random sample, and EM once more with it.
 */
export function trainMatchModel(
  records: readonly (Demographics | PreparedRecord)[],
  options: TrainOptions = {},
): MatchModel {
  const base = options.base ?? DEFAULT_MATCH_MODEL;
  const prepared = records.map(asPrepared);
  const n = prepared.length;
  const rules = options.rules ?? DEFAULT_BLOCKING_RULES;
  const maxBlockSize = options.maxBlockSize;
  const seed = options.seed ?? 1;
  const uSampling = estimateU(prepared, { samples: options.uSamples, seed, fallback: base });
  const sessions = rules.map((rule) => ({
    rule,
    patterns: ComparisonPatterns.ofPairs(prepared, candidatePairs(prepared, { rules: [rule], maxBlockSize })),
  }));
  const all = candidatePairs(prepared, { rules, maxBlockSize });
  const allPatterns = ComparisonPatterns.ofPairs(prepared, all);
  const totalPairs = (n * (n - 1)) / 2;

  const baseM = matchLevelProbabilities(base, 'm');
  let u = uSampling.u;
  let m = baseM;
  let prior = base.prior;
  let report: SessionReport[] = [];
  for (let round = 0; round < 2; round++) {
    ({ m, report } = emOverSessions(sessions, u, m, baseM, options.maxIterations));
    const { share, compared } = matchShareWithFixedM(allPatterns, u, m);
    prior = Math.min(Math.max((share * all.count) / totalPairs, 1e-12), 0.5);
    if (round === 0)
      u = estimateU(prepared, {
        samples: options.uSamples,
        seed,
        fallback: base,
        correction: { prior, m, compared },
      }).u;
  }
  const tf =
    options.termFrequencies === false ? undefined : termFrequencies(prepared, options.termFrequencies);
  return {
    format: MATCH_MODEL_FORMAT,
    prior,
    fields: fieldParameters(m, u),
    ...(tf ? { termFrequencies: tf } : {}),
    thresholds: { ...base.thresholds },
    provenance: {
      origin: 'trained',
      description:
        'u by random sampling, m by EM per blocking rule, λ from expected matches among candidate pairs ' +
        '(libs/fhir/src/identity/training.ts)',
      records: n,
      seed,
      uSamples: uSampling.samples,
      candidatePairs: all.count,
      blocking: all.rules satisfies BlockingRuleReport[],
      sessions: report,
    },
  };
}

interface SessionReport {
  rule: string;
  pairs: number;
  estimated: MatchField[];
  matchShare: number;
  iterations: number;
  converged: boolean;
}

function emOverSessions(
  sessions: { rule: BlockingRule; patterns: ComparisonPatterns }[],
  u: MatchLevelProbabilities,
  start: MatchLevelProbabilities,
  baseM: MatchLevelProbabilities,
  maxIterations: number | undefined,
): { m: MatchLevelProbabilities; report: SessionReport[] } {
  const sums = MATCH_FIELDS.map((field) => new Float64Array(MATCH_LEVELS[field].length));
  const weights = new Float64Array(MATCH_FIELDS.length);
  const report: SessionReport[] = [];
  for (const { rule, patterns } of sessions) {
    if (patterns.total === 0) continue;
    const estimate = estimateM(patterns, {
      u,
      initial: { m: start, prior: 0.5 },
      exclude: rule.fields,
      maxIterations,
      smoothing: { m: baseM, pairs: 10 },
    });
    report.push({
      rule: rule.name,
      pairs: patterns.total,
      estimated: estimate.estimated,
      matchShare: estimate.matchShare,
      iterations: estimate.iterations,
      converged: estimate.converged,
    });
    for (const field of estimate.estimated) {
      const f = MATCH_FIELDS.indexOf(field);
      const weight = estimate.expectedMatches[field];
      weights[f] += weight;
      estimate.m[field].forEach((value, level) => (sums[f][level] += value * weight));
    }
  }
  const m = {} as MatchLevelProbabilities;
  MATCH_FIELDS.forEach((field, f) => {
    m[field] = weights[f] > 0 ? sums[f].map((value) => value / weights[f]) : Float64Array.from(start[field]);
  });
  return { m, report };
}

/**
 * λ of a pair set by EM with m and u both held fixed, and for each field the share of the expected matches in
 * which it was compared (both values present).
 */
function matchShareWithFixedM(
  patterns: ComparisonPatterns,
  u: MatchLevelProbabilities,
  m: MatchLevelProbabilities,
): { share: number; compared: Record<MatchField, number> } {
  const weights = MATCH_FIELDS.map((field) =>
    MATCH_LEVELS[field].map((_, level) =>
      isNeutralLevel(field, level) ? 0 : Math.log(m[field][level] / u[field][level]),
    ),
  );
  const vectors: { logRatio: number; count: number; compared: boolean[] }[] = [];
  patterns.forEach((levels, count) => {
    let logRatio = 0;
    for (let f = 0; f < MATCH_FIELDS.length; f++) logRatio += weights[f][levels[f]];
    vectors.push({
      logRatio,
      count,
      compared: MATCH_FIELDS.map((field, f) => !isNeutralLevel(field, levels[f])),
    });
  });
  const posteriorAt = (share: number, vector: (typeof vectors)[number]) =>
    vector.count / (1 + Math.exp(-(Math.log(share / (1 - share)) + vector.logRatio)));
  let share = 0.5;
  for (let iteration = 0; iteration < 500; iteration++) {
    let matches = 0;
    for (const vector of vectors) matches += posteriorAt(share, vector);
    const next = Math.min(Math.max(matches / patterns.total, 1e-12), 1 - 1e-12);
    const done = Math.abs(next - share) < 1e-9;
    share = next;
    if (done) break;
  }
  const totals = new Float64Array(MATCH_FIELDS.length);
  let matches = 0;
  for (const vector of vectors) {
    const posterior = posteriorAt(share, vector);
    matches += posterior;
    vector.compared.forEach((compared, f) => compared && (totals[f] += posterior));
  }
  const compared = Object.fromEntries(
    MATCH_FIELDS.map((field, f) => [field, matches > 0 ? totals[f] / matches : 1]),
  );
  return { share, compared: compared as Record<MatchField, number> };
}

/** A model's m or u as arrays by level index (0 for neutral levels). */
export function matchLevelProbabilities(model: MatchModel, which: 'm' | 'u'): MatchLevelProbabilities {
  const result = {} as MatchLevelProbabilities;
  for (const field of MATCH_FIELDS) {
    const parameters = model.fields[field] as Record<string, { m: number; u: number } | undefined>;
    result[field] = Float64Array.from(MATCH_LEVELS[field], (level) => parameters[level]?.[which] ?? 0);
  }
  return result;
}

function fieldParameters(m: MatchLevelProbabilities, u: MatchLevelProbabilities): MatchFieldParameters {
  const fields: Record<string, Record<string, { m: number; u: number }>> = {};
  for (const field of MATCH_FIELDS) {
    fields[field] = {};
    MATCH_LEVELS[field].forEach((level, index) => {
      if (!isNeutralLevel(field, index)) fields[field][level] = { m: m[field][index], u: u[field][index] };
    });
  }
  return fields as unknown as MatchFieldParameters;
}
