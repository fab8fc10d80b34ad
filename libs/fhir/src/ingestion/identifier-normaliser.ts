import type { Identifier } from 'fhir/r4';
import { IdentifierSystem, localIdentifierSystem } from '../identifier-systems';
import { nhsNumberProblem, normaliseNhsNumber } from '../nhs-number';
import type { Problem } from '../operation-outcome';

/**
 * Older NHS systems (NHS Digital's fhir.nhs.net namespace from the STU3 era, OIDs) for identifiers that UK Core
 * names differently today. Rewriting them is one of the documented normalisation rules (docs/messaging.md).
 */
const CANONICAL_SYSTEMS: Record<string, string> = {
  'http://fhir.nhs.net/Id/nhs-number': IdentifierSystem.nhsNumber,
  'https://fhir.nhs.net/Id/nhs-number': IdentifierSystem.nhsNumber,
  'urn:oid:2.16.840.1.113883.2.1.4.1': IdentifierSystem.nhsNumber,
  'http://fhir.nhs.net/Id/ods-organization-code': IdentifierSystem.odsOrganisationCode,
  'https://fhir.nhs.uk/Id/ods-organisation-code': IdentifierSystem.odsOrganisationCode,
  'http://fhir.nhs.net/Id/ods-site-code': IdentifierSystem.odsSiteCode,
  'http://fhir.nhs.net/Id/sds-user-id': IdentifierSystem.sdsUserId,
  'http://fhir.nhs.net/Id/sds-role-profile-id': IdentifierSystem.sdsRoleProfileId,
};

const ODS_SYSTEMS = new Set<string>([IdentifierSystem.odsOrganisationCode, IdentifierSystem.odsSiteCode]);

/**
 * Normalises one identifier in place: canonical NHS systems, NHS numbers without separators and with a valid
 * check digit (else a problem: invalid NHS numbers are refused, never stored), ODS codes upper-cased, and local
 * identifiers sent without a system given one scoped to their source system.
 */
export function normaliseIdentifier(identifier: Identifier, sourceSystem: string, path: string): Problem[] {
  if (identifier.system && CANONICAL_SYSTEMS[identifier.system])
    identifier.system = CANONICAL_SYSTEMS[identifier.system];
  if (identifier.system === IdentifierSystem.nhsNumber) {
    const problem =
      identifier.value === undefined
        ? 'NHS number identifier has no value'
        : nhsNumberProblem(identifier.value);
    if (problem) return [{ code: 'value', diagnostics: problem, expression: [`${path}.value`] }];
    identifier.value = normaliseNhsNumber(identifier.value!);
    return [];
  }
  if (identifier.system && ODS_SYSTEMS.has(identifier.system) && identifier.value) {
    identifier.value = identifier.value.trim().toUpperCase();
    return [];
  }
  if (!identifier.system && identifier.value) {
    const kind = identifier.type?.coding?.[0]?.code ?? identifier.type?.text ?? 'identifier';
    identifier.system = localIdentifierSystem(sourceSystem, kind);
  }
  return [];
}
