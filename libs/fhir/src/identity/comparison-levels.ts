/**
 * The fields the matcher compares and each field's comparison levels, strongest agreement first. A pair of records
 * falls in exactly one level per field: the first whose condition holds (see compare.ts). The order here is the
 * level's index in a comparison vector, so it is part of the serialised model's meaning: add levels at the end of
 * a field only together with a new model format.
 */
export const MATCH_FIELDS = ['nhsNumber', 'family', 'given', 'birthDate', 'postcode', 'sex'] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

export const MATCH_LEVELS = {
  nhsNumber: ['verified-equal', 'equal', 'superseded-equal', 'different', 'absent'],
  family: ['exact', 'phonetic', 'token', 'jw-0.94', 'jw-0.88', 'transposed', 'different', 'absent'],
  given: [
    'exact',
    'nickname',
    'phonetic',
    'token',
    'jw-0.94',
    'jw-0.88',
    'initial',
    'transposed',
    'different',
    'absent',
  ],
  birthDate: ['exact', 'day-month-swap', 'january-first', 'one-digit', 'different', 'absent'],
  postcode: ['full', 'district', 'area', 'different', 'absent'],
  sex: ['equal', 'different', 'unknown'],
} as const satisfies Record<MatchField, readonly string[]>;

export type MatchLevelOf<F extends MatchField> = (typeof MATCH_LEVELS)[F][number];

/**
 * Levels that carry no evidence: weight 0 by definition, no m or u. A value missing on either side, and the given
 * name of a transposed pair (the family level `transposed` already counts the swap once; counting it twice would
 * break the independence the model assumes).
 */
export const NEUTRAL_MATCH_LEVELS = {
  nhsNumber: ['absent'],
  family: ['absent'],
  given: ['transposed', 'absent'],
  birthDate: ['absent'],
  postcode: ['absent'],
  sex: ['unknown'],
} as const satisfies { readonly [F in MatchField]: readonly MatchLevelOf<F>[] };

/** What each level means, for explanations and documentation. */
export const MATCH_LEVEL_DESCRIPTIONS: {
  readonly [F in MatchField]: { readonly [L in MatchLevelOf<F>]: string };
} = {
  nhsNumber: {
    'verified-equal': 'the same NHS number, verified in both records',
    equal: 'the same NHS number, unverified in at least one record',
    'superseded-equal': "one record's superseded (re-issued) NHS number is the other's current number",
    different: 'both records have an NHS number and they differ',
    absent: 'at least one record has no NHS number',
  },
  family: {
    exact: 'the same family name (folded)',
    phonetic: 'family names with the same phonetic key',
    token: 'one part of a multi-part or hyphenated family name agrees',
    'jw-0.94': 'family names with Jaro–Winkler similarity ≥ 0.94',
    'jw-0.88': 'family names with Jaro–Winkler similarity ≥ 0.88',
    transposed: 'given and family names swapped between the records',
    different: 'different family names',
    absent: 'at least one record has no family name',
  },
  given: {
    exact: 'the same first given name (folded)',
    nickname: 'a known familiar form, or one name is a short form of the other',
    phonetic: 'first given names with the same phonetic key',
    token: 'a given name of one record is among the given names of the other',
    'jw-0.94': 'first given names with Jaro–Winkler similarity ≥ 0.94',
    'jw-0.88': 'first given names with Jaro–Winkler similarity ≥ 0.88',
    initial: 'one record has only an initial, and it agrees',
    transposed: 'names swapped between the records (counted once, in the family name)',
    different: 'different given names',
    absent: 'at least one record has no given name',
  },
  birthDate: {
    exact: 'the same birth date',
    'day-month-swap': 'day and month swapped',
    'january-first': 'one record has the 1 January placeholder of a year-only date, in the same year',
    'one-digit': 'one digit wrong, or two adjacent digits swapped',
    different: 'different birth dates',
    absent: 'at least one record has no birth date',
  },
  postcode: {
    full: 'the same postcode',
    district: 'the same postcode district (outward code)',
    area: 'the same postcode area',
    different: 'different postcode areas',
    absent: 'at least one record has no usable postcode',
  },
  sex: {
    equal: 'the same administrative gender',
    different: 'different administrative genders',
    unknown: 'gender unknown in at least one record',
  },
};

/** Level names of a field by index (the compare functions work in indices). */
export function matchLevelName(field: MatchField, level: number): string {
  return MATCH_LEVELS[field][level];
}

export function isNeutralLevel(field: MatchField, level: number): boolean {
  return (NEUTRAL_MATCH_LEVELS[field] as readonly string[]).includes(MATCH_LEVELS[field][level]);
}

/** Indices of the levels the compare functions return, by field. */
export const NHS = { verifiedEqual: 0, equal: 1, supersededEqual: 2, different: 3, absent: 4 } as const;
export const FAMILY = {
  exact: 0,
  phonetic: 1,
  token: 2,
  jw94: 3,
  jw88: 4,
  transposed: 5,
  different: 6,
  absent: 7,
} as const;
export const GIVEN = {
  exact: 0,
  nickname: 1,
  phonetic: 2,
  token: 3,
  jw94: 4,
  jw88: 5,
  initial: 6,
  transposed: 7,
  different: 8,
  absent: 9,
} as const;
export const BIRTH_DATE = {
  exact: 0,
  dayMonthSwap: 1,
  januaryFirst: 2,
  oneDigit: 3,
  different: 4,
  absent: 5,
} as const;
export const POSTCODE = { full: 0, district: 1, area: 2, different: 3, absent: 4 } as const;
export const SEX = { equal: 0, different: 1, unknown: 2 } as const;

/** Field positions in a comparison vector. */
export const FIELD_INDEX = { nhsNumber: 0, family: 1, given: 2, birthDate: 3, postcode: 4, sex: 5 } as const;
