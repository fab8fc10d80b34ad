import type { CodeableConcept, Reference, Resource } from 'fhir/r4';
import { cuiDate, NOT_KNOWN } from './patient-banner';
import type { PersonRecord } from './person-record';
import type { SensitiveCategory } from './sensitive-categories';

/** One line of a section: what, and where it came from (every item shows its source, organisation and date). */
export interface RecordItem {
  /** `Type/id` of the resource shown. */
  ref: string;
  text: string;
  detail?: string;
  /** The source system (`meta.source`: `<ODS code>:<product>`). */
  source: string;
  organisation: string;
  /** `DD-Mmm-YYYY`. */
  recorded: string;
  /** ISO date used for ordering. */
  sortDate: string;
  /** Set when the item falls in a sensitive category and is shown (the role's own, or revealed on request). */
  sensitive?: SensitiveCategory;
}

export function conceptText(concept: CodeableConcept | undefined): string | undefined {
  return (
    concept?.text?.trim() || concept?.coding?.find((c) => c.display)?.display || concept?.coding?.[0]?.code
  );
}

/** The ODS code in `meta.source` (`<ODS code>:<product>`), if any. */
function odsOfSource(source: string | undefined): string | undefined {
  const ods = source?.split(':')[0]?.trim();
  return ods && /^[A-Z0-9]{3,10}$/i.test(ods) ? ods.toUpperCase() : undefined;
}

/**
 * The organisation an item belongs to: the one it names (`orgRef`), else the one that manages the source's record
 * of the person, else the ODS code of its source system.
 */
export function organisationOf(
  resource: Resource,
  orgRef: Reference | undefined,
  record: PersonRecord,
): string {
  const named = (reference: Reference | undefined) =>
    reference?.display?.trim() ||
    (reference?.reference ? record.organisations?.get(reference.reference)?.name : undefined);
  const direct = named(orgRef);
  if (direct) return direct;
  const subject =
    (resource as { subject?: Reference; patient?: Reference }).subject ??
    (resource as { patient?: Reference }).patient;
  const patient = record.patients.find((p) => subject?.reference === `Patient/${p.id}`);
  const managing = named(patient?.managingOrganization);
  if (managing) return managing;
  const ods = odsOfSource(resource.meta?.source);
  return ods ? `ODS ${ods}` : NOT_KNOWN;
}

/** An item with its provenance: `date` is the clinically recorded date, falling back to when the store got it. */
export function itemOf(
  resource: Resource,
  record: PersonRecord,
  facts: { text: string | undefined; detail?: string; date: string | undefined; organisation?: Reference },
): RecordItem {
  const date = facts.date ?? resource.meta?.lastUpdated;
  return {
    ref: `${resource.resourceType}/${resource.id ?? ''}`,
    text: facts.text?.trim() || NOT_KNOWN,
    ...(facts.detail ? { detail: facts.detail } : {}),
    source: resource.meta?.source?.trim() || NOT_KNOWN,
    organisation: organisationOf(resource, facts.organisation, record),
    recorded: cuiDate(date),
    sortDate: date ?? '',
  };
}

export const newestFirst = (a: RecordItem, b: RecordItem) => b.sortDate.localeCompare(a.sortDate);
