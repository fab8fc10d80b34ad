import type { Address, HumanName, Patient } from 'fhir/r4';
import { IdentifierSystem } from '../identifier-systems';

/**
 * The patient banner's facts, formatted by the NHS common user interface (CUI) rules: name `FAMILY, Given (Title)`,
 * birth date `DD-Mmm-YYYY` with age, gender, NHS number spaced 3 3 4, "Not known" for what is missing, deceased
 * flagged, and no address for a restricted person.
 */
export interface PatientBanner {
  name: string;
  born: string;
  age: string;
  gender: string;
  nhsNumber: string;
  address: string;
  deceased?: { date: string };
  restricted: boolean;
}

export const NOT_KNOWN = 'Not known';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
/** Restricted (R) and very restricted (V): the person's whereabouts must not be shown. */
const RESTRICTED = new Set(['R', 'V']);

/** `DD-Mmm-YYYY` for a FHIR date or dateTime (its date part); "Not known" when absent or partial. */
export function cuiDate(value: string | undefined): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value ?? '');
  if (!match) return value && /^\d{4}/.test(value) ? value : NOT_KNOWN;
  return `${match[3]}-${MONTHS[Number(match[2]) - 1]}-${match[1]}`;
}

/** Age after the CUI age table, simplified: whole years from 2, months under 2 years, days under a month. */
export function cuiAge(birthDate: string | undefined, at: Date): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate ?? '');
  if (!match) return NOT_KNOWN;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let months = (at.getUTCFullYear() - year) * 12 + (at.getUTCMonth() + 1 - month);
  if (at.getUTCDate() < day) months -= 1;
  if (months < 0) return NOT_KNOWN;
  if (months >= 24) return `${Math.floor(months / 12)}y`;
  if (months >= 1) return `${months}m`;
  const days = Math.floor((at.getTime() - Date.UTC(year, month - 1, day)) / 86_400_000);
  return `${days}d`;
}

/** `FAMILY, Given Middle (Title)`. */
export function cuiName(name: HumanName | undefined): string {
  if (!name) return NOT_KNOWN;
  const family = name.family?.trim().toUpperCase();
  const given = (name.given ?? []).join(' ').trim();
  const title = (name.prefix ?? []).join(' ').trim();
  if (!family && !given) return name.text?.trim() || NOT_KNOWN;
  return [family ? `${family}${given ? ',' : ''}` : '', given, title ? `(${title})` : '']
    .filter(Boolean)
    .join(' ');
}

/** `485 777 3456`. */
export function cuiNhsNumber(value: string | undefined): string {
  const digits = (value ?? '').replace(/\D/g, '');
  return digits.length === 10 ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}` : NOT_KNOWN;
}

const GENDERS: Record<string, string> = {
  male: 'Male',
  female: 'Female',
  other: 'Other',
  unknown: NOT_KNOWN,
};

function currentOf<T extends { use?: string; period?: { end?: string } }>(
  items: T[] | undefined,
  at: Date,
  prefer: string[],
): T | undefined {
  const live = (items ?? []).filter((item) => !item.period?.end || new Date(item.period.end) >= at);
  return prefer.map((use) => live.find((item) => item.use === use)).find(Boolean) ?? live[0];
}

function addressLine(address: Address | undefined): string {
  if (!address) return NOT_KNOWN;
  const parts = [...(address.line ?? []), address.city, address.postalCode].filter((part) => part?.trim());
  return parts.length ? parts.join(', ') : address.text?.trim() || NOT_KNOWN;
}

/** True when any record of the person is labelled restricted or very restricted (meta.security R or V). */
export function isRestrictedPerson(patients: Patient[]): boolean {
  return patients.some((patient) =>
    (patient.meta?.security ?? []).some(
      (label) => label.system === CONFIDENTIALITY && RESTRICTED.has(label.code ?? ''),
    ),
  );
}

/**
 * The banner for a person from all their Patient records: the launched (first) record's values, each missing one
 * taken from the person's other records; the address withheld when any record is restricted.
 */
export function buildPatientBanner(patients: Patient[], at: Date): PatientBanner {
  const first = <T>(pick: (patient: Patient) => T | undefined): T | undefined =>
    patients.map(pick).find((value) => value !== undefined && value !== null && value !== '');
  const birthDate = first((p) => p.birthDate);
  const nhsNumber = first((p) => p.identifier?.find((id) => id.system === IdentifierSystem.nhsNumber)?.value);
  const deceasedDate = first((p) => p.deceasedDateTime);
  const deceased = deceasedDate !== undefined || patients.some((p) => p.deceasedBoolean === true);
  const restricted = isRestrictedPerson(patients);
  return {
    name: cuiName(first((p) => currentOf(p.name, at, ['official', 'usual']))),
    born: cuiDate(birthDate),
    age: deceased ? NOT_KNOWN : cuiAge(birthDate, at),
    gender: GENDERS[first((p) => p.gender) ?? 'unknown'] ?? NOT_KNOWN,
    nhsNumber: cuiNhsNumber(nhsNumber),
    address: restricted
      ? 'Address withheld (restricted record)'
      : addressLine(first((p) => currentOf(p.address, at, ['home']))),
    ...(deceased ? { deceased: { date: cuiDate(deceasedDate) } } : {}),
    restricted,
  };
}
