import type { Patient } from 'fhir/r4';
import type { Sex, SourceKind } from '../data/code-tables';
import type { SourceSystem } from '../community/community.model';

export const NAME_ORIGINS = [
  'british-irish',
  'south-asian',
  'eastern-european',
  'western-european',
  'west-african',
  'east-african',
  'middle-eastern',
  'east-asian',
] as const;
export type NameOrigin = (typeof NAME_ORIGINS)[number];

/**
 * The corruptions a source record can carry, in the order they are applied. Each has a rate: the chance that a
 * record it can apply to gets it (see `eligible` in corruption.engine.ts), times the source's corruption factor.
 * Two are decided elsewhere: `duplicate-record` once per person and source (a second registration, which then
 * draws its own corruptions), and `nhs-number-reissued` per person (see population.generator.ts).
 */
export const CORRUPTION_KINDS = [
  'duplicate-record',
  'married-name-change',
  'surname-part-dropped',
  'family-name-variant',
  'given-name-variant',
  'middle-name-as-given',
  'diacritics-dropped',
  'diacritics-added',
  'typo',
  'names-transposed',
  'birth-date-jan-1',
  'birth-date-digit',
  'birth-date-day-month-swap',
  'house-move',
  'nhs-number-missing',
  'nhs-number-reissued',
  'nhs-number-unverified',
] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];
export type CorruptionRates = Record<CorruptionKind, number>;

export type HouseholdKind = 'single' | 'couple' | 'family' | 'lone-parent' | 'multigenerational' | 'shared-house' | 'care-home';

/** One line of the labelled population: a source's Patient and who it really is. */
export interface LabelledRecord {
  /** The person behind the record: records with the same id are the same human (`P0000042`). */
  truthPersonId: string;
  householdId: string;
  householdKind: HouseholdKind;
  /** `<ODS code>:<product>`, as the `source-system` Kafka header and `meta.source` name it. */
  sourceSystem: string;
  nameOrigin: NameOrigin;
  /** What this record got wrong, in application order; empty for a clean record. */
  corruptions: CorruptionKind[];
  /** The truth id of the person's twin, when the twin is in the population too. */
  twinOf?: string;
  /** The truth id of an earlier, unrelated person with the same given name, surname, sex and birth date. */
  namesakeOf?: string;
  /** The Patient as the source sends it (the acute trust's as its ADT message maps to FHIR). */
  patient: Patient;
  /** The acute trust's ADT^A28 (ER7, `\r` separators) that `patient` maps from. */
  hl7v2?: string;
}

export interface PostalAddress {
  /** Flat or home name first when there is one, then number and street. */
  lines: string[];
  town: string;
  county: string;
  postcode: string;
}

/** The true person: what every source would record if nobody ever made a mistake. */
export interface PopulationPerson {
  index: number;
  id: string;
  householdId: string;
  householdKind: HouseholdKind;
  origin: NameOrigin;
  sex: Sex;
  prefix?: string;
  given: string;
  middle?: string;
  family: string;
  /** The surname before a marriage (or the one a woman's family carries, for Begum/Kaur customs see name tables). */
  formerFamily?: string;
  birthDate: string;
  nhsNumber: string;
  /** The superseded NHS number, when the person's number was re-issued. */
  formerNhsNumber?: string;
  address: PostalAddress;
  /** Where the person lived before; sources that missed the move still have it. */
  previousAddress: PostalAddress;
  mobile?: string;
  landline?: string;
  /** The registered practice, undefined for the few registered with no GP. */
  practice?: SourceSystem;
  twinOf?: string;
  birthOrder?: number;
  namesakeOf?: string;
}

/** How one source holds the person: the fields its Patient is made from. */
export interface SourceRecord {
  source: SourceSystem;
  localId: string;
  nhsNumber?: string;
  /** UK Core NHS number verification status code (`01` verified), undefined when the source sends none. */
  nhsNumberStatus?: string;
  prefix?: string;
  given: string;
  middle?: string;
  family: string;
  birthDate: string;
  sex: Sex;
  address: PostalAddress;
  phones: Array<{ value: string; use: 'mobile' | 'home' }>;
  multipleBirth?: number;
  corruptions: CorruptionKind[];
}

export type SourceFactors = Record<SourceKind, number>;

export interface PopulationOptions {
  seed: string;
  persons: number;
  /** Reference "today" (YYYY-MM-DD): nobody is born after it. */
  today?: string;
  /** Per-kind rates; missing kinds keep the defaults of data/population.json. */
  rates?: Partial<CorruptionRates>;
  /** Multipliers of every rate by source kind (GP records are cleaner than out-of-hours ones); defaults in data. */
  sourceFactors?: Partial<SourceFactors>;
}
