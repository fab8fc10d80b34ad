import type { Consent } from 'fhir/r4';
import { CONSENT_CATEGORY_SYSTEM, NATIONAL_DATA_OPT_OUT, SCOPE_SYSTEM } from './consent-codes';
import { consentDirectivesOf } from './consent-directive';

const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const objection = (permitted: string[] = [], overrides: Partial<Consent> = {}): Consent => ({
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: SCOPE_SYSTEM, code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: 'Patient/p1' },
  organization: permitted.map((value) => ({ identifier: { system: ODS, value } })),
  provision: { type: 'deny' },
  ...overrides,
});
const optOut = (overrides: Partial<Consent> = {}): Consent => ({
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: SCOPE_SYSTEM, code: 'research' }] },
  category: [{ coding: [{ system: CONSENT_CATEGORY_SYSTEM, code: NATIONAL_DATA_OPT_OUT }] }],
  patient: { reference: 'Patient/p1' },
  provision: { type: 'deny' },
  ...overrides,
});

describe('consent directives: what a Consent says about sharing', () => {
  it('an active objection to sharing, with the organisations it still permits by ODS code', () => {
    const consent = objection(['RR8'], {
      organization: [
        { identifier: { system: ODS, value: 'RR8' } },
        { identifier: { system: 'urn:other', value: 'X' } },
        { reference: 'Organization/1' },
      ],
    });
    expect(consentDirectivesOf(consent)).toEqual([
      { kind: 'sharing-objection', permittedOrganisations: ['RR8'], start: -Infinity, end: Infinity },
    ]);
  });

  it('the national data opt-out', () => {
    expect(consentDirectivesOf(optOut())).toEqual([
      { kind: 'data-opt-out', permittedOrganisations: [], start: -Infinity, end: Infinity },
    ]);
  });

  it('the provision period bounds it; an unreadable bound leaves that end open', () => {
    const bounded = objection([], {
      provision: { type: 'deny', period: { start: '2025-01-01', end: '2025-12-31T23:59:59Z' } },
    });
    expect(consentDirectivesOf(bounded)[0]).toMatchObject({
      start: Date.parse('2025-01-01'),
      end: Date.parse('2025-12-31T23:59:59Z'),
    });
    const unreadable = objection([], { provision: { type: 'deny', period: { end: 'soon' } } });
    expect(consentDirectivesOf(unreadable)[0]).toMatchObject({ start: -Infinity, end: Infinity });
  });

  it('nothing from consents that are not active, permit, or concern something else', () => {
    expect(consentDirectivesOf(objection([], { status: 'inactive' }))).toEqual([]);
    expect(consentDirectivesOf(optOut({ status: 'proposed' }))).toEqual([]);
    expect(consentDirectivesOf(objection([], { provision: { type: 'permit' } }))).toEqual([]);
    expect(
      consentDirectivesOf(
        objection([], { scope: { coding: [{ system: SCOPE_SYSTEM, code: 'treatment' }] } }),
      ),
    ).toEqual([]);
  });
});
