/**
 * What Elasticsearch holds for one resource: a flat search document derived from the stored FHIR resource (never
 * the resource itself; Postgres stays the source of truth and search hits are read back from there). Keep in step
 * with the mappings in libs/search/src/mappings/*.json, which are `dynamic: strict`.
 */
export interface SearchDocumentBase {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  /** A tombstone: the resource is deleted at versionId. Kept so that no older version can be indexed again. */
  deleted: boolean;
  sourceSystem?: string;
  /** The ODS code of the sending organisation, when the source system names one. */
  sourceOrganisation?: string;
  /** `Organization/<id>` of every organisation the resource refers to (managing, performer, custodian ...). */
  organisations?: string[];
  /** Ids of the patients whose compartment holds the resource. */
  compartments?: string[];
  /** `system|value` of every identifier. */
  identifiers?: string[];
  /** `system|code` of every coded element. */
  codes?: string[];
  /** `system|code` of the resource's main code (code, vaccine-code or type). */
  code?: string[];
  category?: string[];
  status?: string[];
  /** Start of the resource's clinical date (effective, onset, period, authored ...), ISO 8601. */
  date?: string;
  /** `Type/id` of every local reference. */
  references?: string[];
  /** Folded narrative text (what `_text` searches). */
  narrative?: string;
  /** Folded free text: narrative, coded texts and displays, notes, names, descriptions (what `_content` searches). */
  text?: string;
}

export interface PatientSearchFields {
  /** Folded full names, analysed for word matching. */
  name?: string[];
  family?: string[];
  given?: string[];
  nameTokens?: string[];
  namePhonetic?: string[];
  /** Formal names of the given names' familiar forms (nickname matching). */
  givenFormal?: string[];
  birthDate?: string;
  gender?: string;
  /** Normalised postcodes (upper case, no space) and their outward codes. */
  postcode?: string[];
  postcodeOutward?: string[];
  nhsNumber?: string;
  /** A restricted (S-flag) person: no locating details indexed, and never found by postcode. */
  restricted?: boolean;
}

export type SearchDocument = SearchDocumentBase & PatientSearchFields;

/** Index families: several resource types share an index (and its mapping) behind one alias. */
export type SearchFamily = 'patient' | 'clinical';
export const SEARCH_FAMILIES: readonly SearchFamily[] = ['patient', 'clinical'];

export function searchFamilyOf(resourceType: string): SearchFamily {
  return resourceType === 'Patient' ? 'patient' : 'clinical';
}

/** The Elasticsearch document id: one document per resource, whatever its version. */
export function searchDocumentId(resourceType: string, id: string): string {
  return `${resourceType}/${id}`;
}
