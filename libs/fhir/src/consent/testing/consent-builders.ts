import type { Consent } from 'fhir/r4';
import { IdentifierSystem } from '../../identifier-systems';
import { CONSENT_CATEGORY_SYSTEM, NATIONAL_DATA_OPT_OUT, SCOPE_SYSTEM } from '../consent-codes';

const OPTOUT = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] };

/**
 * A patient's objection to sharing their record, as tests write it: active, deny, still permitting the
 * organisations named by ODS code (typically the GP practice), within `provision`'s period if given.
 */
export function anObjection(
  patient: string,
  options: { permitted?: string[]; provision?: Consent['provision'] } = {},
): Consent {
  const permitted = options.permitted ?? [];
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: `Patient/${patient}` },
    policyRule: OPTOUT,
    ...(permitted.length
      ? {
          organization: permitted.map((value) => ({
            identifier: { system: IdentifierSystem.odsOrganisationCode, value },
          })),
        }
      : {}),
    provision: { type: 'deny', ...options.provision },
  };
}

/** A patient's national data opt-out (research and planning), as the NHS opt-out service feeds it. */
export function aNationalDataOptOut(patient: string): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: SCOPE_SYSTEM, code: 'research' }] },
    category: [{ coding: [{ system: CONSENT_CATEGORY_SYSTEM, code: NATIONAL_DATA_OPT_OUT }] }],
    patient: { reference: `Patient/${patient}` },
    policyRule: OPTOUT,
    provision: { type: 'deny' },
  };
}
