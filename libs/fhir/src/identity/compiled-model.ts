import { MATCH_FIELDS, MATCH_LEVELS, type MatchField } from './comparison-levels';
import type { MatchLevelParameters, MatchModel, TermFrequencyTable } from './match-model';

/** A model in the form scoring reads: level weights in arrays, name frequencies in maps. */
export interface CompiledModel {
  readonly priorWeight: number;
  /** Per field (MATCH_FIELDS order), per level: log2(m/u), 0 for neutral levels. */
  readonly weights: readonly Float64Array[];
  readonly family: TermFrequencyWeights | undefined;
  readonly given: TermFrequencyWeights | undefined;
}

/** The exact-agreement weight of each name in a term-frequency table, and of a name not in it. */
export interface TermFrequencyWeights {
  readonly weights: ReadonlyMap<string, number>;
  readonly unlisted: number;
  readonly frequencies: ReadonlyMap<string, number>;
  readonly floor: number;
}

const compiled = new WeakMap<MatchModel, CompiledModel>();

/** Compiled once per model object (kept while the model is). */
export function compileModel(model: MatchModel): CompiledModel {
  let result = compiled.get(model);
  if (!result) {
    result = {
      priorWeight: Math.log2(model.prior / (1 - model.prior)),
      weights: MATCH_FIELDS.map((field) => levelWeights(model, field)),
      family: termFrequencyWeights(model.termFrequencies?.family, exactOf(model, 'family')),
      given: termFrequencyWeights(model.termFrequencies?.given, exactOf(model, 'given')),
    };
    compiled.set(model, result);
  }
  return result;
}

export function levelParameters(
  model: MatchModel,
  field: MatchField,
  level: string,
): MatchLevelParameters | undefined {
  return (model.fields[field] as Record<string, MatchLevelParameters | undefined>)[level];
}

function levelWeights(model: MatchModel, field: MatchField): Float64Array {
  return Float64Array.from(MATCH_LEVELS[field], (level) => {
    const parameters = levelParameters(model, field, level);
    return parameters ? Math.log2(parameters.m / parameters.u) : 0;
  });
}

function exactOf(model: MatchModel, field: 'family' | 'given'): MatchLevelParameters {
  return field === 'family' ? model.fields.family.exact : model.fields.given.exact;
}

function termFrequencyWeights(
  table: TermFrequencyTable | undefined,
  exact: MatchLevelParameters,
): TermFrequencyWeights | undefined {
  if (!table) return undefined;
  const weights = new Map<string, number>();
  const frequencies = new Map<string, number>();
  for (const [value, frequency] of Object.entries(table.values)) {
    frequencies.set(value, frequency);
    weights.set(value, Math.log2(exact.m / Math.max(frequency, table.minimum)));
  }
  return {
    weights,
    frequencies,
    unlisted: Math.log2(exact.m / Math.max(table.floor, table.minimum)),
    floor: table.floor,
  };
}
