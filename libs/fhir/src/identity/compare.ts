import { BIRTH_DATE, FAMILY, GIVEN, NHS, POSTCODE, SEX } from './comparison-levels';
import { jaroWinkler } from './jaro-winkler';
import { areNicknameEquivalents } from './nicknames';
import type { PreparedRecord } from './prepared-record';

/**
 * The comparison of two prepared records, field by field: each function returns the index of the first level of
 * MATCH_LEVELS[field] whose condition holds. No allocation: these run for every candidate pair.
 */

/** Jaro–Winkler bands apply only when both names have at least this many letters: on shorter names the measure
 * mostly rewards a shared first letter (Zhou/Zhu 0.93, Li/Lu 0.70) rather than a likely misspelling. */
const JW_MIN_LENGTH = 4;
/** A given name that begins the other (Sam/Samuel) or ends it (Seun/Oluwaseun) is a short form when it has at
 * least this many letters. */
const SHORT_FORM_PREFIX = 3;
const SHORT_FORM_SUFFIX = 4;

export function compareNhsNumber(a: PreparedRecord, b: PreparedRecord): number {
  if (a.nhsNumber !== '' && a.nhsNumber === b.nhsNumber)
    return a.nhsVerified && b.nhsVerified ? NHS.verifiedEqual : NHS.equal;
  if (
    (a.nhsNumber !== '' && b.supersededNhsNumbers.includes(a.nhsNumber)) ||
    (b.nhsNumber !== '' && a.supersededNhsNumbers.includes(b.nhsNumber))
  )
    return NHS.supersededEqual;
  if (a.nhsNumber !== '' && b.nhsNumber !== '') return NHS.different;
  return NHS.absent;
}

export function compareFamily(a: PreparedRecord, b: PreparedRecord): number {
  if (a.family === '' || b.family === '') return FAMILY.absent;
  if (a.family === b.family) return FAMILY.exact;
  if (a.familyKey === b.familyKey) return FAMILY.phonetic;
  if (sharesFamilyToken(a, b) || sharesFamilyToken(b, a)) return FAMILY.token;
  const similarity = similarityOf(a.family, b.family);
  if (similarity >= 0.94) return FAMILY.jw94;
  if (similarity >= 0.88) return FAMILY.jw88;
  if (areTransposed(a, b)) return FAMILY.transposed;
  return FAMILY.different;
}

/** Given names; `familyLevel` is the pair's family level (a transposed pair's given names are not compared again). */
export function compareGiven(a: PreparedRecord, b: PreparedRecord, familyLevel: number): number {
  if (familyLevel === FAMILY.transposed) return GIVEN.transposed;
  if (a.given === '' || b.given === '') return GIVEN.absent;
  if (a.given === b.given || a.givenAll === b.givenAll) return GIVEN.exact;
  if (areNicknameEquivalents(a.givenNicknames, b.givenNicknames) || isShortForm(a.given, b.given))
    return GIVEN.nickname;
  if (a.givenKey === b.givenKey) return GIVEN.phonetic;
  if (sharesGivenToken(a, b)) return GIVEN.token;
  const similarity = similarityOf(a.given, b.given);
  if (similarity >= 0.94) return GIVEN.jw94;
  if (similarity >= 0.88) return GIVEN.jw88;
  if ((a.given.length === 1 || b.given.length === 1) && a.given.charCodeAt(0) === b.given.charCodeAt(0))
    return GIVEN.initial;
  return GIVEN.different;
}

export function compareBirthDate(a: PreparedRecord, b: PreparedRecord): number {
  const x = a.birthDigits;
  const y = b.birthDigits;
  if (x === '' || y === '') return BIRTH_DATE.absent;
  if (x === y) return BIRTH_DATE.exact;
  const sameYear = a.birthYear === b.birthYear;
  // YYYYMMDD: month at 4-5, day at 6-7.
  if (
    sameYear &&
    x.charCodeAt(4) === y.charCodeAt(6) &&
    x.charCodeAt(5) === y.charCodeAt(7) &&
    x.charCodeAt(6) === y.charCodeAt(4) &&
    x.charCodeAt(7) === y.charCodeAt(5)
  )
    return BIRTH_DATE.dayMonthSwap;
  if (sameYear && (x.endsWith('0101') || y.endsWith('0101'))) return BIRTH_DATE.januaryFirst;
  if (isKeyingSlip(x, y)) return BIRTH_DATE.oneDigit;
  return BIRTH_DATE.different;
}

export function comparePostcode(a: PreparedRecord, b: PreparedRecord): number {
  if (a.postcodeArea === '' || b.postcodeArea === '') return POSTCODE.absent;
  if (a.postcode !== '' && a.postcode === b.postcode) return POSTCODE.full;
  if (a.postcodeDistrict === b.postcodeDistrict) return POSTCODE.district;
  if (a.postcodeArea === b.postcodeArea) return POSTCODE.area;
  return POSTCODE.different;
}

export function compareSex(a: PreparedRecord, b: PreparedRecord): number {
  if (a.sex === 0 || b.sex === 0) return SEX.unknown;
  return a.sex === b.sex ? SEX.equal : SEX.different;
}

/** Writes the pair's level for every field (in MATCH_FIELDS order) into `out`, which must hold six entries. */
export function compareInto(a: PreparedRecord, b: PreparedRecord, out: Uint8Array): Uint8Array {
  const family = compareFamily(a, b);
  out[0] = compareNhsNumber(a, b);
  out[1] = family;
  out[2] = compareGiven(a, b, family);
  out[3] = compareBirthDate(a, b);
  out[4] = comparePostcode(a, b);
  out[5] = compareSex(a, b);
  return out;
}

function similarityOf(x: string, y: string): number {
  return x.length >= JW_MIN_LENGTH && y.length >= JW_MIN_LENGTH ? jaroWinkler(x, y) : 0;
}

/** Close enough to count as the same name when checking for a swap: equal, same phonetic key, or JW ≥ 0.94. */
function sameName(x: string, xKey: string, y: string, yKey: string): boolean {
  return x === y || xKey === yKey || similarityOf(x, y) >= 0.94;
}

function areTransposed(a: PreparedRecord, b: PreparedRecord): boolean {
  if (a.given === '' || b.given === '') return false;
  return (
    (sameName(a.family, a.familyKey, b.given, b.givenKey) || a.family === b.givenAll) &&
    (sameName(a.given, a.givenKey, b.family, b.familyKey) || a.givenAll === b.family)
  );
}

/** A family-name part of `a` is a family-name part of `b`, or one of `b`'s middle names (Harpreet Kaur Sandhu
 * recorded elsewhere as Harpreet Kaur). Single letters do not count. */
function sharesFamilyToken(a: PreparedRecord, b: PreparedRecord): boolean {
  for (const token of a.familyTokens) {
    if (token.length < 2) continue;
    if (b.familyTokens.includes(token)) return true;
    for (let i = 1; i < b.givenTokens.length; i++) if (b.givenTokens[i] === token) return true;
  }
  return false;
}

function sharesGivenToken(a: PreparedRecord, b: PreparedRecord): boolean {
  for (const token of a.givenTokens) if (token.length >= 2 && b.givenTokens.includes(token)) return true;
  return false;
}

function isShortForm(x: string, y: string): boolean {
  const short = x.length <= y.length ? x : y;
  const long = short === x ? y : x;
  return (
    (short.length >= SHORT_FORM_PREFIX && long.startsWith(short)) ||
    (short.length >= SHORT_FORM_SUFFIX && long.endsWith(short))
  );
}

/** Exactly one digit differs, or exactly two adjacent digits are swapped (1970 → 1907). */
function isKeyingSlip(x: string, y: string): boolean {
  let first = -1;
  let differences = 0;
  for (let i = 0; i < 8; i++) {
    if (x.charCodeAt(i) === y.charCodeAt(i)) continue;
    if (++differences > 2) return false;
    if (first < 0) first = i;
  }
  if (differences === 1) return true;
  return (
    x.charCodeAt(first + 1) !== y.charCodeAt(first + 1) &&
    x.charCodeAt(first) === y.charCodeAt(first + 1) &&
    x.charCodeAt(first + 1) === y.charCodeAt(first)
  );
}
