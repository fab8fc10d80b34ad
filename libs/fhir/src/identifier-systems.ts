/** NHS identifier systems (UK Core R4 2.0.2, see shared/ukcore/SOURCES.md) and Continuum's own URIs. */
export const IdentifierSystem = {
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  odsOrganisationCode: 'https://fhir.nhs.uk/Id/ods-organization-code',
  odsSiteCode: 'https://fhir.nhs.uk/Id/ods-site-code',
  sdsUserId: 'https://fhir.nhs.uk/Id/sds-user-id',
  sdsRoleProfileId: 'https://fhir.nhs.uk/Id/sds-role-profile-id',
  nmcNumber: 'https://fhir.hl7.org.uk/Id/nmc-number',
  uuid: 'https://tools.ietf.org/html/rfc4122',
} as const;

export const UkCoreExtension = {
  nhsNumberVerificationStatus:
    'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
} as const;

/** Base of URIs Continuum mints itself, e.g. local identifier systems of a source system that has none. */
export const CONTINUUM_URI_BASE = 'https://continuum.example.nhs.uk';

/**
 * The identifier system for a source system's local identifiers (hospital numbers, practice patient ids) when the
 * source does not send one: stable, per source system and identifier kind.
 */
export function localIdentifierSystem(sourceSystem: string, kind: string): string {
  const slug = (value: string) =>
    value
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
  return `${CONTINUUM_URI_BASE}/Id/${slug(sourceSystem)}/${slug(kind)}`;
}
