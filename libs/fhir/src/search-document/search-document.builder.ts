import type { Annotation, Patient, Resource } from 'fhir/r4';
import { IdentifierSystem } from '../identifier-systems';
import { redactLocating } from '../restricted/restricted-person';
import { normaliseNhsNumber } from '../nhs-number';
import { patientCompartmentsOf } from '../search/compartment';
import { foldText } from '../search/fold-text';
import { extractIndexRows } from '../search/index-rows.extractor';
import type { IndexRows, TokenRow } from '../search/index-rows.types';
import { nameKeysOf, unique } from './name-keys';
import { narrativeText } from './narrative-text';
import { normalisePostcode, outwardCode } from './postcode';
import type { PatientSearchFields, SearchDocument, SearchDocumentBase } from './search-document.types';

/** What the store knows about a version besides its content. */
export interface VersionFacts {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  sourceSystem: string | null;
}

/** Search parameters whose values are the resource's main code and clinical date, in order of preference. */
const MAIN_CODE_PARAMS = ['code', 'vaccine-code', 'type'];
const DATE_PARAMS = [
  'date',
  'effective',
  'onset-date',
  'authoredon',
  'recorded-date',
  'period',
  'issued',
  'created',
];
const STATUS_PARAMS = ['status', 'clinical-status'];

/**
 * The search document of a stored version. Codes, identifiers, dates and references come from the R4 search
 * parameters' FHIRPath (the same extraction as the Postgres search index), so both indexes agree on what a
 * resource's code or date is; Patient gets its name, birth date, postcode and NHS number keys on top.
 * `restrictedPerson`: the resource belongs to a restricted (S-flag) person, so its locating details (address,
 * postcode, telecom, GP, contacts, birthplace, narrative) are left out of every field, and a Patient is marked
 * `restricted` (searches by postcode leave it out).
 */
export function buildSearchDocument(
  stored: Resource,
  facts: VersionFacts,
  options: { baseUrl?: string; restrictedPerson?: boolean } = {},
): SearchDocument {
  const resource = options.restrictedPerson ? redactLocating(stored) : stored;
  const rows = extractIndexRows(resource, options);
  const tokens = (codes: string[]) => rows.token.filter((row) => codes.includes(row.code));
  // Local references only: another server's URL or a urn: is not one of our resources.
  const references = rows.reference.filter((row) => row.targetType && !/[/:]/.test(row.targetId));
  const narrative = narrativeOf(resource);
  const freeText = [narrative, ...rows.string.map((row) => row.exact), ...notesOf(resource)].filter(
    (part): part is string => Boolean(part),
  );

  const document: SearchDocument = {
    ...baseOf(facts),
    organisations: present(
      unique(
        references
          .filter((row) => row.targetType === 'Organization')
          .map((row) => `Organization/${row.targetId}`),
      ),
    ),
    compartments: present(patientCompartmentsOf(resource, options)),
    identifiers: present(unique(tokens(['identifier']).flatMap(systemValue))),
    codes: present(
      unique(
        rows.token
          .filter((row) => row.system && !row.code.includes(':') && row.code !== 'identifier')
          .flatMap(systemValue),
      ),
    ),
    code: present(unique(firstParamWith(rows, MAIN_CODE_PARAMS).flatMap(systemValue))),
    category: present(unique(tokens(['category']).flatMap(systemValue))),
    status: present(unique(tokens(STATUS_PARAMS).flatMap((row) => row.value ?? []))),
    date: clinicalDate(rows),
    references: present(unique(references.map((row) => `${row.targetType}/${row.targetId}`))),
    narrative: narrative ? foldText(narrative) : undefined,
    text: freeText.length ? foldText(unique(freeText).join(' ')) : undefined,
    ...(resource.resourceType === 'Patient'
      ? { ...patientFields(resource as Patient), restricted: Boolean(options.restrictedPerson) }
      : {}),
  };
  return withoutUndefined(document);
}

/** A deleted resource's document: enough to hold its version (external versioning) and to be filtered out. */
export function buildTombstoneDocument(facts: VersionFacts): SearchDocument {
  return withoutUndefined({ ...baseOf(facts), deleted: true });
}

function baseOf(facts: VersionFacts): SearchDocumentBase {
  return {
    resourceType: facts.resourceType,
    id: facts.id,
    versionId: facts.versionId,
    lastUpdated: facts.lastUpdated.toISOString(),
    deleted: false,
    sourceSystem: facts.sourceSystem ?? undefined,
    sourceOrganisation: facts.sourceSystem ? odsCodeOf(facts.sourceSystem) : undefined,
  };
}

function patientFields(patient: Patient): PatientSearchFields {
  const names = nameKeysOf(patient.name ?? []);
  const postcodes = unique(
    (patient.address ?? []).flatMap((address) => (address.postalCode ? [address.postalCode] : [])),
  );
  const nhsNumber = patient.identifier?.find(
    (identifier) => identifier.system === IdentifierSystem.nhsNumber,
  )?.value;
  return {
    name: present(names.names),
    family: present(names.family),
    given: present(names.given),
    nameTokens: present(names.tokens),
    namePhonetic: present(names.phonetic),
    givenFormal: present(names.formal),
    birthDate: patient.birthDate,
    gender: patient.gender,
    postcode: present(unique(postcodes.map(normalisePostcode))),
    postcodeOutward: present(unique(postcodes.flatMap((postcode) => outwardCode(postcode) ?? []))),
    nhsNumber: nhsNumber ? normaliseNhsNumber(nhsNumber) : undefined,
  };
}

/** The ODS code in a source system id: "Y12345:EMIS-Web", or "https://fhir.nhs.uk/Id/ods-organization-code|RR8". */
export function odsCodeOf(sourceSystem: string): string | undefined {
  const [system, value] = sourceSystem.split('|');
  if (value && system === IdentifierSystem.odsOrganisationCode) return value.toUpperCase();
  return /^([A-Za-z0-9]{3,6}):/.exec(sourceSystem)?.[1].toUpperCase();
}

function narrativeOf(resource: Resource): string | undefined {
  const div = (resource as { text?: { div?: string } }).text?.div;
  return div ? narrativeText(div) || undefined : undefined;
}

/** Annotation texts of the resource's top-level `note` element (clinical notes, comments). */
function notesOf(resource: Resource): string[] {
  const notes = (resource as { note?: Annotation[] }).note;
  return Array.isArray(notes) ? notes.flatMap((note) => (note.text ? [note.text] : [])) : [];
}

function systemValue(row: TokenRow): string[] {
  return row.value ? [`${row.system ?? ''}|${row.value}`] : [];
}

function firstParamWith(rows: IndexRows, codes: string[]): TokenRow[] {
  for (const code of codes) {
    const found = rows.token.filter((row) => row.code === code);
    if (found.length) return found;
  }
  return [];
}

function clinicalDate(rows: IndexRows): string | undefined {
  for (const code of DATE_PARAMS) {
    const starts = rows.date
      .filter((row) => row.code === code && Number.isFinite(row.start))
      .map((row) => row.start);
    if (starts.length) return new Date(Math.min(...starts)).toISOString();
  }
  return undefined;
}

const present = <T>(values: T[]): T[] | undefined => (values.length ? values : undefined);

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
