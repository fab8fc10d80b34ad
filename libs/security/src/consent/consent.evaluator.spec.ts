import type { Consent } from 'fhir/r4';
import { consentDecision } from './consent.evaluator';
import { CONSENT_CATEGORY_SYSTEM, NATIONAL_DATA_OPT_OUT, SCOPE_SYSTEM } from '@continuum/fhir';

const objection = (permitted: string[] = [], overrides: Partial<Consent> = {}): Consent => ({
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: SCOPE_SYSTEM, code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: 'Patient/p1' },
  organization: permitted.map((value) => ({
    identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value },
  })),
  provision: { type: 'deny' },
  ...overrides,
});
const optOut: Consent = {
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: SCOPE_SYSTEM, code: 'research' }] },
  category: [{ coding: [{ system: CONSENT_CATEGORY_SYSTEM, code: NATIONAL_DATA_OPT_OUT }] }],
  patient: { reference: 'Patient/p1' },
  provision: { type: 'deny' },
};
const clinician = (organisation: string, breakGlassReason?: string) => ({
  organisation,
  directCare: true,
  secondaryUse: false,
  breakGlassReason,
});

describe('consent decisions', () => {
  it('an objection hides the record from other organisations’ clinicians, not from the ones it names', () => {
    expect(consentDecision([objection(['RR8'])], clinician('RX1'))).toBe('hidden');
    expect(consentDecision([objection(['RR8'])], clinician('RR8'))).toBe('allowed');
  });

  it('break-glass with a reason shows it, flagged', () => {
    expect(consentDecision([objection()], clinician('RX1', 'Unconscious in ED'))).toBe('break-glass');
  });

  it('only objections in force count', () => {
    expect(consentDecision([objection([], { status: 'inactive' })], clinician('RX1'))).toBe('allowed');
    const lapsed = objection([], { provision: { type: 'deny', period: { end: '2020-01-01' } } });
    expect(consentDecision([lapsed], clinician('RX1'))).toBe('allowed');
    expect(consentDecision([objection([], { provision: { type: 'permit' } })], clinician('RX1'))).toBe(
      'allowed',
    );
  });

  it('the national data opt-out hides the patient from secondary use only', () => {
    const analyst = { directCare: false, secondaryUse: true };
    expect(consentDecision([optOut], analyst)).toBe('hidden');
    expect(consentDecision([optOut], clinician('RX1'))).toBe('allowed');
    expect(consentDecision([objection()], analyst)).toBe('allowed');
  });
});
