import {
  DEFAULT_BLOCKING_RULES,
  candidatePairs,
  type BlockingRule,
  type BlockingRuleReport,
} from './blocking';
import { MATCH_FIELDS, MATCH_LEVELS, isNeutralLevel, type MatchField } from './comparison-levels';
import { ComparisonPatterns } from './comparison-patterns';
import type { Demographics } from './demographics';
import { estimateM } from './em';
import {
  DEFAULT_MATCH_MODEL,
  MATCH_MODEL_FORMAT,
  matchLevelProbabilities,
  type MatchFieldParameters,
  type MatchLevelProbabilities,
  type MatchModel,
} from './match-model';
import { asPrepared, type PreparedRecord } from './prepared-record';
import { termFrequencies, type TermFrequencyOptions } from './term-frequencies';
import { estimateU } from './u-sampling';

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
