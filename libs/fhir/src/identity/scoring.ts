import { compareInto } from './compare';
import {
  FAMILY,
  FIELD_INDEX,
  MATCH_FIELDS,
  GIVEN,
  NHS,
  isNeutralLevel,
  matchLevelName,
  type MatchField,
} from './comparison-levels';
import { compileModel, levelParameters, type CompiledModel } from './compiled-model';
import type { MatchModel, MatchThresholds } from './match-model';
import type { PreparedRecord } from './prepared-record';

export type MatchDecision = 'MATCH' | 'POSSIBLE_MATCH' | 'NO_MATCH';

/** IHE ITI-119 ($match) match grades, the `match-grade` extension's codes. */
export type MatchGrade = 'certain' | 'probable' | 'possible' | 'certainly-not';
export const MATCH_GRADE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/match-grade';

/**
 * Rules that override the score:
 * - `different-verified-nhs-numbers`: two different verified NHS numbers are two people as far as automatic
 *   linking goes (NO_MATCH), whatever the demographics say.
 * - `verified-nhs-number-and-birth-date`: the same verified NHS number and the same birth date is certain (MATCH,
 *   probability 1).
 * - `reissued-nhs-number`: a record whose NHS number was re-issued (see `isReissued`) is linked to another only
 *   through an NHS number they share, never on demographics alone: at most POSSIBLE_MATCH.
 * - `given-names-differ`: first given names that differ entirely, with no shared NHS number, at most
 *   POSSIBLE_MATCH. Twins agree on family name, birth date, postcode and often sex; the model's independence
 *   assumption would add those up to an automatic link, so such pairs go to review.
 */
export type MatchHardRule =
  | 'different-verified-nhs-numbers'
  | 'verified-nhs-number-and-birth-date'
  | 'reissued-nhs-number'
  | 'given-names-differ';

export interface MatchHardRuleOutcome {
  rule: MatchHardRule;
  effect: 'never-link' | 'certain' | 'at-most-possible';
  reason: string;
}

export interface MatchFieldWeight {
  field: MatchField;
  level: string;
  /** log2(m/u); 0 for a neutral level (a missing value). */
  weight: number;
  m?: number;
  u?: number;
  /** When the exact-agreement u was replaced by the name's frequency (the name itself is not repeated here). */
  termFrequency?: number;
}

export interface MatchExplanation {
  /** The prior: λ and its log-odds, log2(λ / (1 − λ)). */
  prior: { probability: number; weight: number };
  /** Each field's level and weight, in MATCH_FIELDS order: prior.weight + Σ weight = the score's weight. */
  fields: MatchFieldWeight[];
  /** The hard rules that applied, in the order they were checked. */
  rules: MatchHardRuleOutcome[];
}

export interface MatchScore {
  /**
   * The calibrated match probability 1 / (1 + 2^−weight), except where a hard rule decides: 1 when certain,
   * 0 when never linked. A rule that only caps the decision leaves the probability as the model gave it.
   */
  probability: number;
  /** The total match weight in bits: the prior's log-odds plus every field's weight. */
  weight: number;
  decision: MatchDecision;
  grade: MatchGrade;
  explanation: MatchExplanation;
}

const scratch = new Uint8Array(MATCH_FIELDS.length);

/**
 * The total match weight of a pair (prior included), without explanation or hard rules: the allocation-free path
 * for ranking many candidates. `score` gives the decision.
 */
export function matchWeight(a: PreparedRecord, b: PreparedRecord, model: MatchModel): number {
  const compiled = compileModel(model);
  compareInto(a, b, scratch);
  let total = compiled.priorWeight;
  for (let field = 0; field < scratch.length; field++)
    total += weightOf(compiled, field, scratch[field], a, b);
  return total;
}

/** The probability a weight stands for: 2^w / (1 + 2^w). */
export function probabilityOfWeight(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/** The decision for a probability, before hard rules. */
export function classifyMatch(probability: number, thresholds: MatchThresholds): MatchDecision {
  if (probability >= thresholds.match) return 'MATCH';
  if (probability >= thresholds.possible) return 'POSSIBLE_MATCH';
  return 'NO_MATCH';
}

/** Scores a pair: probability, weight, decision after the hard rules, IHE grade, and the explanation. */
export function score(a: PreparedRecord, b: PreparedRecord, model: MatchModel): MatchScore {
  const compiled = compileModel(model);
  const levels = compareInto(a, b, new Uint8Array(MATCH_FIELDS.length));
  const fields = MATCH_FIELDS.map((field, index) =>
    explainField(model, compiled, field, levels[index], a, b),
  );
  const weight = fields.reduce((total, field) => total + field.weight, compiled.priorWeight);
  const rules = hardRules(a, b, levels);
  let probability = probabilityOfWeight(weight);
  let decision = classifyMatch(probability, model.thresholds);
  let grade: MatchGrade | undefined;
  for (const { effect } of rules) {
    if (effect === 'never-link') {
      [probability, decision, grade] = [0, 'NO_MATCH', 'certainly-not'];
      break;
    }
    if (effect === 'certain') [probability, decision, grade] = [1, 'MATCH', 'certain'];
    if (effect === 'at-most-possible' && decision === 'MATCH') decision = 'POSSIBLE_MATCH';
  }
  return {
    probability,
    weight,
    decision,
    grade: grade ?? matchGradeOf(decision),
    explanation: { prior: { probability: model.prior, weight: compiled.priorWeight }, fields, rules },
  };
}

/**
 * The IHE match grade of a decision: an automatic MATCH is `probable` (only the certainty rule gives `certain`),
 * a POSSIBLE_MATCH `possible`, and NO_MATCH `certainly-not`.
 */
export function matchGradeOf(decision: MatchDecision): MatchGrade {
  return decision === 'MATCH' ? 'probable' : decision === 'POSSIBLE_MATCH' ? 'possible' : 'certainly-not';
}

function hardRules(a: PreparedRecord, b: PreparedRecord, levels: Uint8Array): MatchHardRuleOutcome[] {
  const nhs = levels[FIELD_INDEX.nhsNumber];
  const rules: MatchHardRuleOutcome[] = [];
  if (nhs === NHS.different && a.nhsVerified && b.nhsVerified)
    rules.push({
      rule: 'different-verified-nhs-numbers',
      effect: 'never-link',
      reason: 'both records carry a verified NHS number and the numbers differ: never linked automatically',
    });
  if (nhs === NHS.verifiedEqual && a.birthDate !== '' && a.birthDate === b.birthDate)
    rules.push({
      rule: 'verified-nhs-number-and-birth-date',
      effect: 'certain',
      reason: 'the same verified NHS number and the same birth date',
    });
  const sharedNumber = nhs === NHS.verifiedEqual || nhs === NHS.equal || nhs === NHS.supersededEqual;
  if (!sharedNumber && (a.supersededNhsNumbers.length > 0 || b.supersededNhsNumbers.length > 0))
    rules.push({
      rule: 'reissued-nhs-number',
      effect: 'at-most-possible',
      reason:
        'an NHS number in this pair was re-issued and the records share no NHS number: never linked on ' +
        'demographics alone',
    });
  if (!sharedNumber && levels[FIELD_INDEX.given] === GIVEN.different)
    rules.push({
      rule: 'given-names-differ',
      effect: 'at-most-possible',
      reason: 'first given names differ and no NHS number is shared (twins agree on everything else): review',
    });
  return rules;
}

function weightOf(
  compiled: CompiledModel,
  field: number,
  level: number,
  a: PreparedRecord,
  b: PreparedRecord,
): number {
  if (field === FIELD_INDEX.family && level === FAMILY.exact && compiled.family)
    return compiled.family.weights.get(a.family) ?? compiled.family.unlisted;
  if (field === FIELD_INDEX.given && level === GIVEN.exact && compiled.given)
    return compiled.given.weights.get(givenValue(a, b)) ?? compiled.given.unlisted;
  return compiled.weights[field][level];
}

/** The given name two records agree on exactly: the first given name, or all given names run together. */
function givenValue(a: PreparedRecord, b: PreparedRecord): string {
  return a.given === b.given ? a.given : a.givenAll;
}

function explainField(
  model: MatchModel,
  compiled: CompiledModel,
  field: MatchField,
  level: number,
  a: PreparedRecord,
  b: PreparedRecord,
): MatchFieldWeight {
  const index = FIELD_INDEX[field];
  const name = matchLevelName(field, level);
  const weight = weightOf(compiled, index, level, a, b);
  if (isNeutralLevel(field, level)) return { field, level: name, weight };
  const parameters = levelParameters(model, field, name);
  const explained: MatchFieldWeight = { field, level: name, weight, m: parameters?.m, u: parameters?.u };
  const table =
    field === 'family' && level === FAMILY.exact
      ? compiled.family
      : field === 'given' && level === GIVEN.exact
        ? compiled.given
        : undefined;
  if (table) {
    const frequency = table.frequencies.get(field === 'family' ? a.family : givenValue(a, b)) ?? table.floor;
    explained.termFrequency = frequency;
    if (parameters) explained.u = parameters.m / 2 ** weight; // the name's frequency, floored at the minimum
  }
  return explained;
}
