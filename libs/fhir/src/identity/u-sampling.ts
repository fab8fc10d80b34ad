import { compareInto } from './compare';
import { MATCH_FIELDS, MATCH_LEVELS, isNeutralLevel, type MatchField } from './comparison-levels';
import type { Demographics } from './demographics';
import { DEFAULT_MATCH_MODEL, type MatchLevelProbabilities, type MatchModel } from './match-model';
import { asPrepared, type PreparedRecord } from './prepared-record';
import { seededRandom } from './seeded-random';

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
