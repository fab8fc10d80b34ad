import type { Address, HumanName, Identifier, Patient } from 'fhir/r4';
import { IdentifierSystem, UkCoreExtension } from '../identifier-systems';
import { isValidNhsNumber, normaliseNhsNumber } from '../nhs-number';
import { nameTokens } from '../search-document/name-keys';
import { normalisePostcode } from '../search-document/postcode';

/**
 * How far a record's NHS number can be trusted: `verified` when the UK Core verification status is `01` (number
 * present and verified against the national demographics service), `present` for any other status or none,
 * `absent` when the record has no valid current NHS number.
 */
export type NhsNumberStatus = 'verified' | 'present' | 'absent';

/** Administrative gender as compared: `unknown` and a missing gender are both left out (undefined). */
export type AdministrativeSex = 'male' | 'female' | 'other';

/**
 * The identifying facts of one source Patient, normalised for matching. Plain data (JSON-serialisable), so a
 * service can keep it beside the link it decided.
 */
export interface Demographics {
  /** The source Patient's id, carried for reporting; never compared. */
  id?: string;
  /** The current NHS number (ten digits, valid check digit). */
  nhsNumber?: string;
  nhsNumberStatus: NhsNumberStatus;
  /**
   * NHS numbers the record says the person held before: NHS-number identifiers with `use: old` or a `period.end`,
   * other than the current one. Any of them makes the record's NHS number re-issued (see {@link isReissued}).
   */
  supersededNhsNumbers: string[];
  /** Folded tokens of the family name ("Smith-Jones" → smith, jones; "O'Brien" → obrien). */
  family: string[];
  /** Folded tokens of the given names, first given name first. */
  given: string[];
  /** YYYY-MM-DD. A partial date (year, or year and month) becomes the YYYY-01-01 placeholder sources use. */
  birthDate?: string;
  /** A full UK postcode without spaces ("LS14AP"). */
  postcode?: string;
  /** The outward code, i.e. the postcode district ("LS1"). */
  postcodeDistrict?: string;
  /** The letters the postcode starts with, i.e. the postcode area ("LS"). */
  postcodeArea?: string;
  sex?: AdministrativeSex;
}

const VERIFIED = '01';
const NAME_USE_PREFERENCE = [
  'official',
  'usual',
  undefined,
  'temp',
  'nickname',
  'maiden',
  'old',
  'anonymous',
];
const UK_POSTCODE = /^([A-Z]{1,2})([0-9][A-Z0-9]?)([0-9][A-Z]{2})$/;
const OUTWARD_CODE = /^([A-Z]{1,2})([0-9][A-Z0-9]?)$/;

/** The demographics of a source Patient, as the matcher compares them. */
export function demographicsOf(patient: Patient): Demographics {
  const nhs = nhsNumbersOf(patient.identifier ?? []);
  const name = preferredName(patient.name ?? []);
  const { family, given } = name ? nameParts(name) : { family: [], given: [] };
  const postcode = postcodeOf(patient.address ?? []);
  const sex = patient.gender === 'unknown' ? undefined : patient.gender;
  const birthDate = birthDateOf(patient.birthDate);
  return {
    ...(patient.id ? { id: patient.id } : {}),
    ...(nhs.current ? { nhsNumber: nhs.current } : {}),
    nhsNumberStatus: nhs.status,
    supersededNhsNumbers: nhs.superseded,
    family,
    given,
    ...(birthDate ? { birthDate } : {}),
    ...postcode,
    ...(sex ? { sex } : {}),
  };
}

/**
 * Re-issue, as Continuum defines it: the record carries an NHS number it marks as no longer in use (identifier
 * `use: old`, or a `period` with an end), different from its current number. New numbers are issued when duplicate
 * registrations are resolved, and also on adoption and gender re-assignment, where the old and new identities must
 * not be joined by inference; so such a record is never linked on demographics alone.
 */
export function isReissued(demographics: Pick<Demographics, 'supersededNhsNumbers'>): boolean {
  return demographics.supersededNhsNumbers.length > 0;
}

function nhsNumbersOf(identifiers: readonly Identifier[]): {
  current?: string;
  status: NhsNumberStatus;
  superseded: string[];
} {
  const nhs = identifiers.filter(
    (identifier) =>
      identifier.system === IdentifierSystem.nhsNumber &&
      identifier.value !== undefined &&
      isValidNhsNumber(identifier.value),
  );
  const ended = (identifier: Identifier) => identifier.use === 'old' || identifier.period?.end !== undefined;
  const current = [...nhs.filter((identifier) => !ended(identifier))].sort(
    (a, b) => Number(isVerified(b)) - Number(isVerified(a)),
  )[0];
  const currentValue = current ? normaliseNhsNumber(current.value ?? '') : undefined;
  const superseded = [
    ...new Set(nhs.filter(ended).map((identifier) => normaliseNhsNumber(identifier.value ?? ''))),
  ].filter((value) => value !== currentValue);
  return {
    ...(currentValue ? { current: currentValue } : {}),
    status: current ? (isVerified(current) ? 'verified' : 'present') : 'absent',
    superseded,
  };
}

function isVerified(identifier: Identifier): boolean {
  return (identifier.extension ?? []).some(
    (extension) =>
      extension.url === UkCoreExtension.nhsNumberVerificationStatus &&
      (extension.valueCodeableConcept?.coding ?? []).some((coding) => coding.code === VERIFIED),
  );
}

/** The official name, else the usual one, else one without a use, …; a name whose period has ended comes last. */
function preferredName(names: readonly HumanName[]): HumanName | undefined {
  const rank = (name: HumanName) =>
    (name.period?.end ? NAME_USE_PREFERENCE.length : 0) + NAME_USE_PREFERENCE.indexOf(name.use);
  return names
    .filter((name) => name.family || name.given?.length || name.text)
    .reduce<HumanName | undefined>(
      (best, name) => (best && rank(best) <= rank(name) ? best : name),
      undefined,
    );
}

/**
 * Family and given tokens. A name with only `text` is split as "FAMILY, Given Middle" when it has a comma, else
 * as "Given Middle Family" (the last word is the family name).
 */
function nameParts(name: HumanName): { family: string[]; given: string[] } {
  if (name.family || name.given?.length)
    return { family: nameTokens(name.family ?? ''), given: (name.given ?? []).flatMap(nameTokens) };
  const text = name.text ?? '';
  const comma = text.indexOf(',');
  if (comma >= 0)
    return { family: nameTokens(text.slice(0, comma)), given: nameTokens(text.slice(comma + 1)) };
  const tokens = nameTokens(text);
  return { family: tokens.slice(-1), given: tokens.slice(0, -1) };
}

function birthDateOf(birthDate: string | undefined): string | undefined {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(birthDate ?? '');
  if (!match) return undefined;
  return match[3] ? `${match[1]}-${match[2]}-${match[3]}` : `${match[1]}-01-01`;
}

/**
 * The postcode of the current home address (else any current address). NHS pseudo-postcodes (ZZ99 …: no fixed
 * abode, or a country of residence outside the UK) are shared by unrelated people, so they count as absent. An
 * outward code alone ("LS1") still gives district and area.
 */
function postcodeOf(
  addresses: readonly Address[],
): Pick<Demographics, 'postcode' | 'postcodeDistrict' | 'postcodeArea'> {
  const usable = addresses.filter(
    (address) => address.postalCode && address.use !== 'old' && !address.period?.end,
  );
  const address = usable.find((candidate) => candidate.use === 'home') ?? usable[0];
  const postcode = normalisePostcode(address?.postalCode ?? '');
  if (!postcode || postcode.startsWith('ZZ99')) return {};
  const full = UK_POSTCODE.exec(postcode);
  if (full) return { postcode, postcodeDistrict: `${full[1]}${full[2]}`, postcodeArea: full[1] };
  const outward = OUTWARD_CODE.exec(postcode);
  if (outward) return { postcodeDistrict: postcode, postcodeArea: outward[1] };
  return {};
}
