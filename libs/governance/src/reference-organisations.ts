import referenceJson from './reference/organisations.json';
import { OrganisationReference, type ReferenceOrganisation } from './organisation-codes';

/**
 * The organisation reference data held in the repository (reference/organisations.json: its note says where each
 * code comes from). GP practices carry the commissioner responsible for their registered patients, which is how a
 * pack derives ORGANISATION IDENTIFIER (CODE OF COMMISSIONER) when the activity record does not say.
 */
export interface CommunityOrganisation extends ReferenceOrganisation {
  /** For a GP practice: the sub-ICB location commissioning care for its registered list. */
  readonly commissioner?: string;
  readonly town?: string;
}

interface ReferenceDocument {
  version: string;
  organisations: CommunityOrganisation[];
}

const reference = referenceJson as unknown as ReferenceDocument;

export const REFERENCE_DATA_VERSION = reference.version;
export const COMMUNITY_ORGANISATIONS: readonly CommunityOrganisation[] = reference.organisations;

/** The GP practices of the reference data, in file order (the generator's practices, one each). */
export const REFERENCE_PRACTICES: readonly CommunityOrganisation[] = COMMUNITY_ORGANISATIONS.filter(
  (organisation) => organisation.roles.includes('gp-practice'),
);

/** Unknown practice: the Data Dictionary's default commissioner is not defined, so none is derived. */
export function commissionerOfPractice(practiceCode: string | null | undefined): string | undefined {
  if (!practiceCode) return undefined;
  const code = practiceCode.trim().toUpperCase();
  return COMMUNITY_ORGANISATIONS.find((organisation) => organisation.code === code)?.commissioner;
}

export function communityOrganisationReference(): OrganisationReference {
  return new OrganisationReference(COMMUNITY_ORGANISATIONS);
}
