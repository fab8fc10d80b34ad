/** Consent.scope codes (R4). */
export const SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
/** Continuum's Consent categories: how the national data opt-out is told apart from other consents. */
export const CONSENT_CATEGORY_SYSTEM = 'https://continuum.nhs.uk/CodeSystem/consent-category';
export const NATIONAL_DATA_OPT_OUT = 'national-data-opt-out';
