import { metaphone } from '../search-document/metaphone';
import type { Demographics } from './demographics';
import { nicknameGroups } from './nicknames';

/**
 * A record ready for comparison: everything the comparisons need is computed once here (joined names, phonetic
 * keys, nickname groups, birth-date digits), so comparing two prepared records allocates nothing.
 */
export interface PreparedRecord {
  readonly prepared: true;
  readonly id: string | undefined;
  /** The current NHS number, '' when absent. */
  readonly nhsNumber: string;
  readonly nhsVerified: boolean;
  readonly supersededNhsNumbers: readonly string[];
  /** Family name tokens joined without separators ("smithjones"); '' when absent. */
  readonly family: string;
  readonly familyTokens: readonly string[];
  readonly familyKey: string;
  /** The first given name token; '' when absent. */
  readonly given: string;
  /** All given tokens joined without separators ("xiaoming" for "Xiao Ming" and "Xiao-Ming"). */
  readonly givenAll: string;
  readonly givenTokens: readonly string[];
  readonly givenKey: string;
  readonly givenNicknames: readonly number[];
  /** YYYY-MM-DD, '' when absent. */
  readonly birthDate: string;
  /** The eight digits YYYYMMDD, '' when absent. */
  readonly birthDigits: string;
  readonly birthYear: string;
  readonly postcode: string;
  readonly postcodeDistrict: string;
  readonly postcodeArea: string;
  /** 0 unknown, 1 male, 2 female, 3 other. */
  readonly sex: number;
}

const SEX_CODES = { male: 1, female: 2, other: 3 } as const;

export function prepare(demographics: Demographics): PreparedRecord {
  const family = demographics.family.join('');
  const given = demographics.given[0] ?? '';
  const birthDate = demographics.birthDate ?? '';
  return {
    prepared: true,
    id: demographics.id,
    nhsNumber: demographics.nhsNumber ?? '',
    nhsVerified: demographics.nhsNumber !== undefined && demographics.nhsNumberStatus === 'verified',
    supersededNhsNumbers: demographics.supersededNhsNumbers,
    family,
    familyTokens: demographics.family,
    familyKey: family ? matchingPhoneticKey(family) : '',
    given,
    givenAll: demographics.given.join(''),
    givenTokens: demographics.given,
    givenKey: given ? matchingPhoneticKey(given) : '',
    givenNicknames: nicknameGroups(given),
    birthDate,
    birthDigits: birthDate.replace(/-/g, ''),
    birthYear: birthDate.slice(0, 4),
    postcode: demographics.postcode ?? '',
    postcodeDistrict: demographics.postcodeDistrict ?? '',
    postcodeArea: demographics.postcodeArea ?? '',
    sex: demographics.sex ? SEX_CODES[demographics.sex] : 0,
  };
}

/** Either kind of record, prepared (a prepared record is returned as it is). */
export function asPrepared(record: Demographics | PreparedRecord): PreparedRecord {
  return 'prepared' in record ? record : prepare(record);
}

/**
 * The app's phonetic key (Philips' Metaphone, as the search documents index it), guarded for short names.
 * Metaphone drops every vowel after the first letter, so short names collapse: Li, Lee, Liu and Lu all key to L,
 * and Zhao, Zhou and Zhu to SH, which would make unrelated people with common Chinese (and other short) names
 * agree "phonetically". A key shorter than three sounds therefore keeps the name's first vowel group
 * (Li → L/i, Liu → L/iu, Zhou → SH/ou), while Jon and John still share JN/o.
 */
export function matchingPhoneticKey(foldedName: string): string {
  const key = metaphone(foldedName);
  if (key.length >= 3) return key;
  const vowels = /[aeiou]+/.exec(foldedName);
  return `${key}/${vowels ? vowels[0] : ''}`;
}
