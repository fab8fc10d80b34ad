import type { Coding, Meta, Resource } from 'fhir/r4';
import type { SearchFilter } from '../search/search-request.types';

/** The v3 Confidentiality code system: PDS marks a restricted (S-flag) patient with R (restricted) or V (very). */
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const RESTRICTING_CONFIDENTIALITY_CODES: readonly string[] = ['R', 'V'];

/** Tag on a resource whose locating details were removed: a client must not write it back as if complete. */
export const REDACTED_TAG: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'REDACTED',
  display: 'redacted',
};

export const BIRTH_PLACE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';

/**
 * What locates a restricted person, per resource type: removed from every response and search document. The
 * narrative goes too, since a generated one repeats the address. Patient: where they live and can be reached,
 * their contacts, their GP practice and birthplace; RelatedPerson and Person: their own address and telecom (a
 * relative usually shares the patient's home).
 */
export const LOCATING_ELEMENTS: Readonly<Record<string, readonly string[]>> = {
  Patient: ['address', 'telecom', 'contact', 'generalPractitioner', 'text'],
  RelatedPerson: ['address', 'telecom', 'text'],
  Person: ['address', 'telecom', 'text'],
};

/** Extensions removed with them, per resource type. */
export const LOCATING_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  Patient: [BIRTH_PLACE_EXTENSION],
};

/**
 * Search parameters that find people by where they live or how to reach them: a search using one (directly, in a
 * chain or in `_has`) never returns a restricted person or their records.
 */
export const LOCATING_SEARCH_PARAMETERS: ReadonlySet<string> = new Set([
  'address',
  'address-city',
  'address-country',
  'address-postalcode',
  'address-state',
  'address-use',
  'general-practitioner',
  'telecom',
  'phone',
  'email',
]);

/** True when this record carries the restricted flag (meta.security R or V of v3 Confidentiality). */
export function isRestrictedRecord(resource: { meta?: Meta } | null | undefined): boolean {
  return (resource?.meta?.security ?? []).some(
    (coding) =>
      coding.system === CONFIDENTIALITY_SYSTEM &&
      RESTRICTING_CONFIDENTIALITY_CODES.includes(coding.code ?? ''),
  );
}

/** True for a resource type that holds locating details (the others are returned unchanged by `redactLocating`). */
export function holdsLocatingDetails(resourceType: string): boolean {
  return resourceType in LOCATING_ELEMENTS;
}

/**
 * A copy of a restricted person's resource without its locating details, tagged REDACTED; the same object when
 * the type holds none or nothing was there to remove.
 */
export function redactLocating<T extends Resource>(resource: T): T {
  const elements = LOCATING_ELEMENTS[resource.resourceType];
  if (!elements) return resource;
  const extensions = LOCATING_EXTENSIONS[resource.resourceType] ?? [];
  const source = resource as T & { extension?: { url: string }[] };
  const present = elements.filter((element) => element in source);
  const keptExtensions = source.extension?.filter((extension) => !extensions.includes(extension.url));
  const extensionRemoved = (keptExtensions?.length ?? 0) !== (source.extension?.length ?? 0);
  if (!present.length && !extensionRemoved) return resource;
  const copy = { ...source } as Record<string, unknown>;
  present.forEach((element) => delete copy[element]);
  if (extensionRemoved) {
    if (keptExtensions?.length) copy.extension = keptExtensions;
    else delete copy.extension;
  }
  const meta = source.meta ?? {};
  const tagged = (meta.tag ?? []).some(
    (tag) => tag.system === REDACTED_TAG.system && tag.code === REDACTED_TAG.code,
  );
  copy.meta = { ...meta, tag: tagged ? meta.tag : [...(meta.tag ?? []), REDACTED_TAG] };
  return copy as T;
}

/** True when a search criterion finds people by a locating parameter, directly or through a chain or `_has`. */
export function usesLocatingParameter(filters: readonly SearchFilter[]): boolean {
  return filters.some(function locating(filter: SearchFilter): boolean {
    if (filter.kind === 'param') return LOCATING_SEARCH_PARAMETERS.has(baseCode(filter.code));
    if (filter.kind === 'chain' && LOCATING_SEARCH_PARAMETERS.has(baseCode(filter.code))) return true;
    return locating(filter.filter);
  });
}

/** `address:contains` or a pseudo code such as `general-practitioner:identifier` names the parameter first. */
function baseCode(code: string): string {
  return code.split(':')[0];
}
