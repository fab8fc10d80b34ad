import type { Identifier, Location, Organization, Practitioner } from 'fhir/r4';
import { IdentifierSystem, localIdentifierSystem } from '@continuum/fhir';
import { REFERENCE_PRACTICES } from '@continuum/governance';
import { codeTables, type SourceKind } from '../data/code-tables';
import { Random } from '../random/random';
import type { Clinician, Community, SourceSystem } from './community.model';

/** UK Core identifier system for GMC numbers (not yet in libs/fhir's IdentifierSystem). */
export const GMC_NUMBER_SYSTEM = 'https://fhir.hl7.org.uk/Id/gmc-number';

interface SourceSpec {
  kind: SourceKind;
  odsCode: string;
  product: string;
  organisationName: string;
  format: 'fhir' | 'hl7v2';
  localIdPrefix: string;
  localIdDigits: number;
  clinicians: number;
  clinicianKind: Clinician['codeKind'] | 'consultant' | 'gp';
  siteCode?: string;
  /** Where the organisation is, when the reference data says (else drawn). */
  town?: string;
}

/** The fixed non-GP sources. Codes are ODS-shaped but fictional (RXX/RYY/NXX/LA123), so they never name a real body. */
const FIXED_SOURCES: SourceSpec[] = [
  { kind: 'acute', odsCode: 'RXX', product: 'PAS', organisationName: 'Yorvik Teaching Hospitals NHS Foundation Trust', format: 'hl7v2', localIdPrefix: 'K', localIdDigits: 7, clinicians: 12, clinicianKind: 'consultant', siteCode: 'RXX01' },
  { kind: 'community', odsCode: 'RYY', product: 'RiO', organisationName: 'Ouse and Derwent Community Health NHS Trust', format: 'fhir', localIdPrefix: '', localIdDigits: 7, clinicians: 6, clinicianKind: 'NMC' },
  { kind: 'ooh', odsCode: 'NXX', product: 'Adastra', organisationName: 'Vale Urgent Care Out of Hours Service', format: 'fhir', localIdPrefix: 'OOH', localIdDigits: 8, clinicians: 5, clinicianKind: 'gp' },
  { kind: 'social', odsCode: 'LA123', product: 'Mosaic', organisationName: 'North Riding Council Adult Social Care', format: 'fhir', localIdPrefix: '', localIdDigits: 6, clinicians: 4, clinicianKind: 'HCPC' },
];

const GP_PRODUCTS = ['EMIS-Web', 'SystmOne'];

/**
 * The community is fixed for a seed (never for a population size), so patient i is the same in every run of seed S.
 * GP practices are the reference data's (libs/governance reference/organisations.json: code, name, town and the
 * commissioner of their registered list), so extracts can check and derive organisation codes from the same file.
 * Each practice's main site has the practice code as its site code (as ODS gives a practice's main surgery).
 */
export function createCommunity(seed: string, today: Date): Community {
  const rng = Random.of(seed, 'community');
  const practices = REFERENCE_PRACTICES.map((practice, i) =>
    buildSource(rng, {
      kind: 'gp',
      odsCode: practice.code,
      product: GP_PRODUCTS[i % GP_PRODUCTS.length],
      organisationName: practice.name,
      format: 'fhir',
      localIdPrefix: '',
      localIdDigits: i % 2 === 0 ? 7 : 9,
      clinicians: 4,
      clinicianKind: 'gp',
      siteCode: practice.code,
      town: practice.town,
    }),
  );
  const [acute, community, ooh, social] = FIXED_SOURCES.map((spec) => buildSource(rng, spec));
  const sources = [...practices, acute, community, ooh, social];
  return { seed, today, practices, acute, community, ooh, social, sources, directory: buildDirectory(sources) };
}

function buildSource(rng: Random, spec: SourceSpec): SourceSystem {
  const id = `${spec.odsCode}:${spec.product}`;
  const drawn = rng.weighted(codeTables.towns.map((t) => ({ value: t, weight: t.weight })));
  const town = codeTables.towns.find((t) => t.name === spec.town) ?? drawn;
  const clinicians = Array.from({ length: spec.clinicians }, () => buildClinician(rng, spec.clinicianKind));
  return {
    id,
    kind: spec.kind,
    odsCode: spec.odsCode,
    product: spec.product,
    organisationName: spec.organisationName,
    organisationId: `ods-${spec.odsCode.toLowerCase()}`,
    format: spec.format,
    patientIdSystem: localIdentifierSystem(id, 'patient'),
    localIdPrefix: spec.localIdPrefix,
    localIdDigits: spec.localIdDigits,
    clinicians,
    town: town.name,
    postcode: `${rng.pick(town.districts)} ${rng.int(1, 9)}${postcodeLetters(rng)}`,
    locationId: spec.siteCode ? `ods-site-${spec.siteCode.toLowerCase()}` : undefined,
    siteCode: spec.siteCode,
  };
}

function buildClinician(rng: Random, kind: SourceSpec['clinicianKind']): Clinician {
  const sdsUserId = `5${rng.digits(11)}`;
  const doctor = kind === 'gp' || kind === 'consultant';
  const code =
    kind === 'consultant' ? `C${rng.digits(7)}` : kind === 'gp' ? `G${rng.digits(7)}` : kind === 'NMC' ? `${rng.digits(2)}A${rng.digits(4)}E` : `SW${rng.digits(6)}`;
  return {
    id: `sds-${sdsUserId}`,
    sdsUserId,
    code,
    codeKind: doctor ? 'GMC' : kind === 'NMC' ? 'NMC' : 'HCPC',
    given: rng.pick(codeTables.names.clinicianGiven),
    family: rng.pick(codeTables.names.clinicianSurname),
    prefix: doctor ? 'Dr' : rng.pick(['Mr', 'Mrs', 'Ms']),
  };
}

/** Royal Mail inward codes never use C, I, K, M, O or V. */
export function postcodeLetters(rng: Random): string {
  const letters = 'ABDEFGHJLNPQRSTUWXYZ';
  return letters[rng.int(0, letters.length - 1)] + letters[rng.int(0, letters.length - 1)];
}

function buildDirectory(sources: SourceSystem[]): Array<Organization | Practitioner | Location> {
  const out: Array<Organization | Practitioner | Location> = [];
  for (const source of sources) {
    out.push({
      resourceType: 'Organization',
      id: source.organisationId,
      identifier: [{ system: IdentifierSystem.odsOrganisationCode, value: source.odsCode }],
      active: true,
      type: [
        {
          coding: [
            source.kind === 'social'
              ? { system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'govt', display: 'Government' }
              : { system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' },
          ],
        },
      ],
      name: source.organisationName,
      address: [{ use: 'work', city: source.town, postalCode: source.postcode, country: 'GB' }],
    });
    if (source.locationId && source.siteCode) {
      out.push({
        resourceType: 'Location',
        id: source.locationId,
        identifier: [{ system: IdentifierSystem.odsSiteCode, value: source.siteCode }],
        status: 'active',
        name: source.kind === 'gp' ? source.organisationName : `${source.town} Hospital`,
        managingOrganization: { reference: `Organization/${source.organisationId}` },
      });
    }
    for (const clinician of source.clinicians) out.push(practitionerOf(clinician));
  }
  return out;
}

function practitionerOf(clinician: Clinician): Practitioner {
  const identifier: Identifier[] = [{ system: IdentifierSystem.sdsUserId, value: clinician.sdsUserId }];
  if (clinician.codeKind === 'GMC') identifier.push({ system: GMC_NUMBER_SYSTEM, value: clinician.code.slice(1) });
  if (clinician.codeKind === 'NMC') identifier.push({ system: IdentifierSystem.nmcNumber, value: clinician.code });
  return {
    resourceType: 'Practitioner',
    id: clinician.id,
    identifier,
    active: true,
    name: [{ use: 'official', family: clinician.family, given: [clinician.given], prefix: [clinician.prefix] }],
  };
}
