/** Consent.scope codes (R4). */
export const SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
/** Continuum's Consent categories: how the national data opt-out is told apart from other consents. */
export const CONSENT_CATEGORY_SYSTEM = 'https://continuum.nhs.uk/CodeSystem/consent-category';
export const NATIONAL_DATA_OPT_OUT = 'national-data-opt-out';
/** The type 1 objection: the patient's dissent, recorded at the GP practice, from GP data leaving it for purposes
 * other than direct care (SNOMED CT 827241000000103 at the practice; our category here). */
export const GP_TYPE_1_OBJECTION = 'gp-type-1-objection';
