import {
  CONSENT_CATEGORY_SYSTEM,
  IdentifierSystem,
  NATIONAL_DATA_OPT_OUT,
  SCOPE_SYSTEM,
} from '@continuum/fhir';
import type { Consent, Identifier, Period, Reference } from 'fhir/r4';

/** How a patient's consents bear on one access. */
export type ConsentDecision = 'allowed' | 'hidden' | 'break-glass';

export interface ConsentRequester {
  /** ODS code of the requesting organisation. */
  organisation?: string;
  /** The access is direct care by a clinician (objections apply). */
  directCare: boolean;
  /** The access is for research or planning (the national data opt-out applies). */
  secondaryUse: boolean;
  breakGlassReason?: string;
}

const hasCode = (
  concepts: { coding?: { system?: string; code?: string }[] }[] | undefined,
  system: string,
  code: string,
) =>
  (concepts ?? []).some((concept) =>
    (concept.coding ?? []).some((c) => c.system === system && c.code === code),
  );

function inForce(consent: Consent, now: Date): boolean {
  if (consent.status !== 'active') return false;
  const period: Period | undefined = consent.provision?.period;
  const at = now.getTime();
  if (period?.start && Date.parse(period.start) > at) return false;
  return !(period?.end && Date.parse(period.end) < at);
}

/** A patient's objection to sharing: scope patient-privacy, provision deny, in force. */
export function isSharingObjection(consent: Consent, now = new Date()): boolean {
  return (
    inForce(consent, now) &&
    consent.provision?.type === 'deny' &&
    hasCode([consent.scope], SCOPE_SYSTEM, 'patient-privacy')
  );
}

/** The national data opt-out, recorded as a Consent in our category (fed from the NHS opt-out service). */
export function isDataOptOut(consent: Consent, now = new Date()): boolean {
  return inForce(consent, now) && hasCode(consent.category, CONSENT_CATEGORY_SYSTEM, NATIONAL_DATA_OPT_OUT);
}

/** Organisations an objection still lets see the record: Consent.organization, by ODS code. */
function permittedOrganisations(consent: Consent): string[] {
  return (consent.organization ?? []).flatMap((reference: Reference) => {
    const identifier: Identifier | undefined = reference.identifier;
    return identifier?.system === IdentifierSystem.odsOrganisationCode && identifier.value
      ? [identifier.value]
      : [];
  });
}

/**
 * Objection: hidden from clinicians of organisations it does not name, unless they break the glass (with a reason).
 * Opt-out: hidden from every secondary use. A patient's own consents only, all already in force or not.
 */
export function consentDecision(
  consents: Consent[],
  requester: ConsentRequester,
  now = new Date(),
): ConsentDecision {
  if (requester.secondaryUse && consents.some((consent) => isDataOptOut(consent, now))) return 'hidden';
  if (!requester.directCare) return 'allowed';
  const objections = consents.filter(
    (consent) =>
      isSharingObjection(consent, now) &&
      !(requester.organisation && permittedOrganisations(consent).includes(requester.organisation)),
  );
  if (!objections.length) return 'allowed';
  return requester.breakGlassReason ? 'break-glass' : 'hidden';
}
