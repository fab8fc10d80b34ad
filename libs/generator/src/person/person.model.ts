import type { Sex } from '../data/code-tables';
import type { Clinician, SourceSystem } from '../community/community.model';

export interface PostalAddress {
  line: string;
  town: string;
  county: string;
  postcode: string;
}

/** The "true" person: what every source would record if nobody ever made a mistake. */
export interface Person {
  index: number;
  /** Stable file and log key, e.g. `p000042`. */
  key: string;
  nhsNumber: string;
  sex: Sex;
  prefix: string;
  given: string;
  middle?: string;
  family: string;
  birthDate: string;
  deceasedDate?: string;
  address: PostalAddress;
  /** Where they lived before moving during the history window; sources that missed the move still have it. */
  previousAddress?: PostalAddress;
  movedOn?: string;
  mobile: string;
  /** The registered practice, or undefined when registered outside the community (no GP feed). */
  practice?: SourceSystem;
  usualGp?: Clinician;
  nextOfKin?: { given: string; family: string; relationship: 'spouse' | 'child' | 'parent' };
}

export type NoiseKind = 'missing-nhs-number' | 'transposed-birth-date' | 'misspelt-surname' | 'accents-dropped' | 'old-address';

/** One source system's record of the person: its own local id and whatever it got wrong. */
export interface SourceView {
  source: SourceSystem;
  localId: string;
  /** The FHIR id of this view's Patient in NDJSON and bundle output. */
  patientId: string;
  nhsNumber?: string;
  given: string;
  family: string;
  birthDate: string;
  address: PostalAddress;
  noise: NoiseKind[];
  /** A temporary registration later merged into `localId` by an ADT^A40 (acute only). */
  duplicate?: { localId: string; patientId: string };
}
