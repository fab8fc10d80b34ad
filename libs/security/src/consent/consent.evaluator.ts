import type { ConsentRestriction } from '@continuum/fhir';

/** Who is asking, as far as patients' consents are concerned. */
export interface ConsentRequester {
  /** ODS code of the requesting organisation. */
  organisation?: string;
  /** The access is direct care by a clinician (objections apply). */
  directCare: boolean;
  /** The access is for research or planning (the national data opt-out applies). */
  secondaryUse: boolean;
  breakGlassReason?: string;
}

/**
 * The consent rules, in one place: which patients' directives (libs/fhir `consentDirectivesOf`) hide them from this
 * requester at `at`. The store applies the result in SQL, to searches, counts, includes and single reads alike.
 * - The national data opt-out hides a patient from every secondary use (research, planning), never from direct care.
 * - An objection to sharing hides a patient from clinicians of organisations it does not name, unless they break
 *   the glass (with a reason; the access is then audited as such).
 * Undefined when no consent can hide anything from this requester (the store then adds no condition).
 */
export function consentRestrictionFor(
  requester: ConsentRequester,
  at = new Date(),
): ConsentRestriction | undefined {
  const hiding: ConsentRestriction['hiding'] = [];
  if (requester.secondaryUse) hiding.push({ kind: 'data-opt-out' });
  if (requester.directCare && !requester.breakGlassReason)
    hiding.push({ kind: 'sharing-objection', unlessPermits: requester.organisation });
  return hiding.length ? { at, hiding } : undefined;
}
