import type {
  AllergyIntolerance,
  Bundle,
  BundleEntry,
  Composition,
  CompositionSection,
  Condition,
  Encounter,
  FhirResource,
  Medication,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
} from 'fhir/r4';
import {
  allergyLine,
  conditionLine,
  encounterLine,
  medicationLine,
  narrativeList,
  referencedMedication,
  observationDate,
  observationLine,
} from './summary-narrative';

/** What a patient summary is made from: the patient's compartment (and linked patients'), already fetched. */
export interface PatientRecord {
  patient: Patient;
  allergies: AllergyIntolerance[];
  conditions: Condition[];
  medications: (MedicationStatement | MedicationRequest)[];
  /** The Medication resources `medications` reference (medicationReference), fetched by the caller. */
  medicines?: Medication[];
  encounters: Encounter[];
  results: Observation[];
}

export interface PatientSummaryOptions {
  /** The FHIR base URL (fullUrls of the entries). */
  baseUrl: string;
  /** A fresh UUID for the document (Bundle.identifier, Composition fullUrl): the caller owns randomness. */
  documentId: string;
  now: Date;
  /** Most recent encounters and results kept (default 10 and 20). */
  maxEncounters?: number;
  maxResults?: number;
}

const LOINC = 'http://loinc.org';
const INACTIVE_CONDITION = new Set(['inactive', 'resolved', 'remission']);
const CURRENT_MEDICATION = new Set(['active', 'intended', 'on-hold', 'unknown']);

interface SectionSpec<T extends FhirResource> {
  title: string;
  code: string;
  display: string;
  empty: string;
  pick: (record: PatientRecord, options: PatientSummaryOptions) => T[];
  line: (resource: T, record: PatientRecord, options: PatientSummaryOptions) => string;
}

const statusOf = (condition: Condition) => condition.clinicalStatus?.coding?.[0]?.code;
const newestFirst =
  <T>(date: (item: T) => string | undefined) =>
  (a: T, b: T) =>
    (date(b) ?? '').localeCompare(date(a) ?? '');

/** The International Patient Summary sections Continuum fills, in document order (specs as data). */
const SECTIONS = [
  {
    title: 'Allergies and Intolerances',
    code: '48765-2',
    display: 'Allergies and adverse reactions Document',
    empty: 'No allergies or intolerances recorded',
    pick: (record) =>
      record.allergies.filter((a) => a.verificationStatus?.coding?.[0]?.code !== 'entered-in-error'),
    line: allergyLine,
  } satisfies SectionSpec<AllergyIntolerance>,
  {
    title: 'Problem List',
    code: '11450-4',
    display: 'Problem list - Reported',
    empty: 'No current problems recorded',
    pick: (record) => record.conditions.filter((c) => !INACTIVE_CONDITION.has(statusOf(c) ?? 'active')),
    line: conditionLine,
  } satisfies SectionSpec<Condition>,
  {
    title: 'Medication Summary',
    code: '10160-0',
    display: 'History of Medication use Narrative',
    empty: 'No current medications recorded',
    pick: (record) => record.medications.filter((m) => CURRENT_MEDICATION.has(m.status)),
    line: (medication, record, options) =>
      medicationLine(medication, referencedMedication(medication, record.medicines ?? [], options.baseUrl)),
  } satisfies SectionSpec<MedicationStatement | MedicationRequest>,
  {
    title: 'Recent Encounters',
    code: '46240-8',
    display: 'History of Hospitalizations+Outpatient visits Narrative',
    empty: 'No encounters recorded',
    pick: (record, options) =>
      [...record.encounters]
        .sort(newestFirst((e: Encounter) => e.period?.start))
        .slice(0, options.maxEncounters ?? 10),
    line: encounterLine,
  } satisfies SectionSpec<Encounter>,
  {
    title: 'Results',
    code: '30954-2',
    display: 'Relevant diagnostic tests/laboratory data Narrative',
    empty: 'No results recorded',
    pick: (record, options) =>
      [...record.results].sort(newestFirst(observationDate)).slice(0, options.maxResults ?? 20),
    line: observationLine,
  } satisfies SectionSpec<Observation>,
];

/**
 * A patient summary document shaped like the International Patient Summary: a `document` Bundle whose first entry
 * is a Composition with one section per clinical area (entries referenced, a narrative list, or an empty reason),
 * followed by the patient and every resource the sections reference.
 */
export function buildPatientSummary(record: PatientRecord, options: PatientSummaryOptions): Bundle {
  const base = options.baseUrl.replace(/\/$/, '');
  const urlOf = (resource: FhirResource) => `${base}/${resource.resourceType}/${resource.id ?? ''}`;
  const included: FhirResource[] = [];
  const sections: CompositionSection[] = SECTIONS.map((spec) => {
    const resources: FhirResource[] = (spec as SectionSpec<FhirResource>).pick(record, options);
    included.push(...resources);
    return {
      title: spec.title,
      code: { coding: [{ system: LOINC, code: spec.code, display: spec.display }] },
      text: {
        status: 'generated',
        div: narrativeList(
          resources.map((r) => (spec as SectionSpec<FhirResource>).line(r, record, options)),
          spec.empty,
        ),
      },
      ...(resources.length
        ? { entry: resources.map((r) => ({ reference: urlOf(r) })) }
        : {
            emptyReason: {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason',
                  code: 'unavailable',
                  display: 'Unavailable',
                },
              ],
            },
          }),
    };
  });
  const timestamp = options.now.toISOString();
  const composition: Composition = {
    resourceType: 'Composition',
    id: options.documentId,
    status: 'final',
    type: { coding: [{ system: LOINC, code: '60591-5', display: 'Patient summary Document' }] },
    subject: { reference: urlOf(record.patient) },
    date: timestamp,
    author: [{ display: 'Continuum shared care record' }],
    title: 'Patient Summary',
    section: sections,
  };
  // A document carries what its entries reference: the Medication resources behind medicationReferences.
  const medicines = included.flatMap((resource) =>
    resource.resourceType === 'MedicationStatement' || resource.resourceType === 'MedicationRequest'
      ? [referencedMedication(resource, record.medicines ?? [], options.baseUrl)]
      : [],
  );
  const referenced = (record.medicines ?? []).filter((medicine) => medicines.includes(medicine)); // not contained ones
  const entries: BundleEntry[] = [
    { fullUrl: `urn:uuid:${options.documentId}`, resource: composition },
    { fullUrl: urlOf(record.patient), resource: record.patient },
    ...[...included, ...referenced].map((resource) => ({ fullUrl: urlOf(resource), resource })),
  ];
  return {
    resourceType: 'Bundle',
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${options.documentId}` },
    type: 'document',
    timestamp,
    entry: entries,
  };
}
