import type { Location, Organization, Practitioner } from 'fhir/r4';
import type { SourceKind } from '../data/code-tables';

/** A clinician in the directory; ids follow the national identifier so any source can reference them. */
export interface Clinician {
  id: string;
  sdsUserId: string;
  /** GMC-based code as HL7 v2 feeds carry it (C… consultant, G… GP), or the NMC PIN for nurses. */
  code: string;
  codeKind: 'GMC' | 'NMC' | 'HCPC';
  given: string;
  family: string;
  prefix: string;
}

/** One source system of the integration community: an organisation running one product. */
export interface SourceSystem {
  /** `<ODS code>:<product>`, the `source-system` Kafka header and the provenance of everything it sends. */
  id: string;
  kind: SourceKind;
  odsCode: string;
  product: string;
  organisationName: string;
  organisationId: string;
  format: 'fhir' | 'hl7v2';
  /** Identifier system of this source's local patient ids. */
  patientIdSystem: string;
  localIdPrefix: string;
  localIdDigits: number;
  clinicians: Clinician[];
  town: string;
  postcode: string;
  locationId?: string;
  siteCode?: string;
}

export interface Community {
  seed: string;
  /** The reference "today": history runs back from here; nothing is generated after it except booked appointments. */
  today: Date;
  practices: SourceSystem[];
  acute: SourceSystem;
  community: SourceSystem;
  ooh: SourceSystem;
  social: SourceSystem;
  sources: SourceSystem[];
  directory: Array<Organization | Practitioner | Location>;
}
