import {
  MATCH_FIELDS,
  MATCH_LEVELS,
  NEUTRAL_MATCH_LEVELS,
  type MatchField,
  type MatchLevelOf,
} from './comparison-levels';

/**
 * m: the probability of the level among pairs of records of the same person; u: among pairs of different people.
 * A level's match weight is log2(m / u).
 */
export interface MatchLevelParameters {
  m: number;
  u: number;
}

/** Parameters of every non-neutral level of every field. */
export type MatchFieldParameters = {
  [F in MatchField]: { [L in Exclude<MatchLevelOf<F>, NeutralLevel<F>>]: MatchLevelParameters };
};
type NeutralLevel<F extends MatchField> = (typeof NEUTRAL_MATCH_LEVELS)[F][number];

/**
 * How common each name is: the u of the exact-agreement level becomes the name's frequency, so SMITH agreeing
 * weighs less than a rare name agreeing. `floor` is the frequency used for a name the table does not hold (it was
 * rarer than every kept name); no frequency is taken below `minimum`.
 */
export interface TermFrequencyTable {
  /** Folded name (the joined family name, or the first given name) → share of records with that name. */
  values: Record<string, number>;
  floor: number;
  minimum: number;
  /** How many records the frequencies were counted on. */
  records: number;
}

/** Match probabilities at or above `match` link automatically; at or above `possible`, go to review. */
export interface MatchThresholds {
  match: number;
  possible: number;
}

export interface ModelProvenance {
  origin: 'defaults' | 'trained';
  description: string;
  [detail: string]: unknown;
}

/** A Fellegi–Sunter model, plain JSON so a service can persist it (`JSON.stringify`, then {@link parseMatchModel}). */
export interface MatchModel {
  format: typeof MATCH_MODEL_FORMAT;
  /** λ: the probability that two records drawn at random belong to the same person. */
  prior: number;
  fields: MatchFieldParameters;
  termFrequencies?: { family?: TermFrequencyTable; given?: TermFrequencyTable };
  thresholds: MatchThresholds;
  provenance: ModelProvenance;
}

export const MATCH_MODEL_FORMAT = 'continuum-match-model/1';

/**
 * Default parameters, so matching works before any training. Hand-set, not fitted: u from the arithmetic of a
 * regional population of about a million people (birth dates spread over ~80 years, so two people share one with
 * probability ≈ 1/(365 × 80) ≈ 4e-5; about 40 people share a postcode; the most common surnames are 1% of
 * people, so Σf² ≈ 0.0025), and m from the error rates NHS feeds show and the project's generator injects (a
 * few per cent of names misspelt or given in a familiar form, 1–2% of birth dates keyed wrongly or defaulted to
 * 1 January, about one record in five at an older address). λ = 1e-6 assumes about a million people with a
 * couple of records each. `trainMatchModel` replaces all of them from the data.
 */
export const DEFAULT_MATCH_MODEL: MatchModel = deepFreeze({
  format: MATCH_MODEL_FORMAT,
  prior: 1e-6,
  fields: {
    nhsNumber: {
      'verified-equal': { m: 0.6, u: 1e-8 },
      equal: { m: 0.385, u: 1e-7 },
      'superseded-equal': { m: 0.005, u: 1e-9 },
      different: { m: 0.01, u: 1 - 1.11e-7 },
    },
    family: {
      exact: { m: 0.86, u: 0.0025 },
      phonetic: { m: 0.03, u: 0.0015 },
      token: { m: 0.03, u: 0.0005 },
      'jw-0.94': { m: 0.03, u: 0.001 },
      'jw-0.88': { m: 0.01, u: 0.004 },
      transposed: { m: 0.005, u: 2e-6 },
      different: { m: 0.035, u: 1 - 0.009502 },
    },
    given: {
      exact: { m: 0.85, u: 0.008 },
      nickname: { m: 0.04, u: 0.003 },
      phonetic: { m: 0.02, u: 0.004 },
      token: { m: 0.03, u: 0.002 },
      'jw-0.94': { m: 0.02, u: 0.002 },
      'jw-0.88': { m: 0.01, u: 0.008 },
      initial: { m: 0.01, u: 0.002 },
      different: { m: 0.02, u: 1 - 0.029 },
    },
    birthDate: {
      exact: { m: 0.95, u: 4e-5 },
      'day-month-swap': { m: 0.005, u: 1.5e-5 },
      'january-first': { m: 0.01, u: 3e-4 },
      'one-digit': { m: 0.02, u: 1.2e-3 },
      different: { m: 0.015, u: 1 - 0.001555 },
    },
    postcode: {
      full: { m: 0.8, u: 1e-4 },
      district: { m: 0.08, u: 0.01 },
      area: { m: 0.06, u: 0.25 },
      different: { m: 0.06, u: 1 - 0.2601 },
    },
    sex: {
      equal: { m: 0.99, u: 0.5 },
      different: { m: 0.01, u: 0.5 },
    },
  },
  thresholds: { match: 0.999, possible: 0.05 },
  provenance: {
    origin: 'defaults',
    description:
      'hand-set defaults (libs/fhir/src/identity/match-model.ts): u from population arithmetic, m from typical ' +
      'NHS feed error rates; train on the store to replace them',
  },
});

/** A probability per level, by field and level index (neutral levels hold 0). */
export type MatchLevelProbabilities = Record<MatchField, Float64Array>;

export function matchLevelProbabilities(model: MatchModel, which: 'm' | 'u'): MatchLevelProbabilities {
  const result = {} as MatchLevelProbabilities;
  for (const field of MATCH_FIELDS) {
    const parameters = model.fields[field] as Record<string, { m: number; u: number } | undefined>;
    result[field] = Float64Array.from(MATCH_LEVELS[field], (level) => parameters[level]?.[which] ?? 0);
  }
  return result;
}

/** The non-neutral levels of a field, in level order: the ones a model holds parameters for. */
export function parameterisedLevels<F extends MatchField>(field: F): readonly MatchLevelOf<F>[] {
  const neutral = NEUTRAL_MATCH_LEVELS[field] as readonly string[];
  return (MATCH_LEVELS[field] as readonly MatchLevelOf<F>[]).filter((level) => !neutral.includes(level));
}

/** A model read back from JSON, checked level by level; throws naming the first problem. */
export function parseMatchModel(json: unknown): MatchModel {
  const problem = (where: string, what: string) => new Error(`Invalid match model: ${where} ${what}`);
  if (!isObject(json)) throw problem('the model', 'is not an object');
  if (json.format !== MATCH_MODEL_FORMAT) throw problem('format', `is not '${MATCH_MODEL_FORMAT}'`);
  if (!isProbability(json.prior, true))
    throw problem('prior', 'is not a probability strictly between 0 and 1');
  if (!isObject(json.fields)) throw problem('fields', 'is missing');
  const fields: Record<string, Record<string, MatchLevelParameters>> = {};
  for (const field of MATCH_FIELDS) {
    const given = json.fields[field];
    if (!isObject(given)) throw problem(`fields.${field}`, 'is missing');
    fields[field] = {};
    for (const level of parameterisedLevels(field)) {
      const parameters = given[level];
      if (!isObject(parameters) || !isProbability(parameters.m, false) || !isProbability(parameters.u, false))
        throw problem(`fields.${field}.${level}`, 'needs m and u in (0, 1]');
      fields[field][level] = { m: parameters.m, u: parameters.u };
    }
  }
  const thresholds = json.thresholds;
  if (
    !isObject(thresholds) ||
    !isProbability(thresholds.match, true) ||
    !isProbability(thresholds.possible, true) ||
    thresholds.possible > thresholds.match
  )
    throw problem('thresholds', 'need 0 < possible ≤ match < 1');
  const termFrequencies: NonNullable<MatchModel['termFrequencies']> = {};
  if (json.termFrequencies !== undefined) {
    if (!isObject(json.termFrequencies)) throw problem('termFrequencies', 'is not an object');
    for (const field of ['family', 'given'] as const) {
      const table = json.termFrequencies[field];
      if (table === undefined) continue;
      termFrequencies[field] = parseTermFrequencies(table, `termFrequencies.${field}`, problem);
    }
  }
  const provenance = json.provenance;
  if (!isObject(provenance) || (provenance.origin !== 'defaults' && provenance.origin !== 'trained'))
    throw problem('provenance.origin', "is not 'defaults' or 'trained'");
  return {
    format: MATCH_MODEL_FORMAT,
    prior: json.prior,
    fields: fields as unknown as MatchFieldParameters,
    ...(json.termFrequencies !== undefined ? { termFrequencies } : {}),
    thresholds: { match: thresholds.match, possible: thresholds.possible },
    provenance: {
      ...provenance,
      origin: provenance.origin,
      description: String(provenance.description ?? ''),
    },
  };
}

function parseTermFrequencies(
  table: unknown,
  where: string,
  problem: (where: string, what: string) => Error,
): TermFrequencyTable {
  if (!isObject(table) || !isObject(table.values)) throw problem(where, 'needs values');
  if (!isProbability(table.floor, false) || !isProbability(table.minimum, false))
    throw problem(where, 'needs floor and minimum in (0, 1]');
  if (typeof table.records !== 'number' || table.records < 0) throw problem(where, 'needs a record count');
  const values: Record<string, number> = {};
  for (const [value, frequency] of Object.entries(table.values)) {
    if (!isProbability(frequency, false)) throw problem(`${where}.values.${value}`, 'is not a frequency');
    values[value] = frequency;
  }
  return { values, floor: table.floor, minimum: table.minimum, records: table.records };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isProbability(value: unknown, open: boolean): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && (open ? value < 1 : value <= 1);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
