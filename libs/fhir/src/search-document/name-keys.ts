import type { HumanName } from 'fhir/r4';
import { formalNamesOf } from '../identity/nicknames';
import { foldText } from '../search/fold-text';
import { metaphone } from './metaphone';

/** The search keys of a person's names: folded whole names and tokens, and a phonetic key per token. */
export interface NameKeys {
  /** Folded full names ("zoe o'brien"), for analysed text matching. */
  names: string[];
  family: string[];
  given: string[];
  /** Every folded name token (family and given), for exact, prefix and fuzzy term matching. */
  tokens: string[];
  /** Metaphone of every token, for sound-alike matching. */
  phonetic: string[];
  /** The formal names the given names are familiar forms of ("bob" → "robert"), for nickname matching. */
  formal: string[];
}

/** Folded tokens of a name part: "Smith-Jones" gives "smith" and "jones"; apostrophes join ("O'Brien" → "obrien"). */
export function nameTokens(text: string): string[] {
  return foldText(text)
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export function nameKeysOf(names: readonly HumanName[]): NameKeys {
  const family = names.flatMap((name) => (name.family ? nameTokens(name.family) : []));
  const given = names.flatMap((name) => (name.given ?? []).flatMap(nameTokens));
  const tokens = unique([
    ...family,
    ...given,
    ...names.flatMap((name) => (name.text ? nameTokens(name.text) : [])),
  ]);
  const full = names.map((name) => name.text ?? [...(name.given ?? []), name.family ?? ''].join(' '));
  return {
    names: unique(full.map(foldText).filter(Boolean)),
    family: unique(family),
    given: unique(given),
    tokens,
    phonetic: unique(tokens.map(metaphone).filter(Boolean)),
    formal: unique(given.flatMap(formalNamesOf)),
  };
}

export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}
