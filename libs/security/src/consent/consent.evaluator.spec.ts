import { consentRestrictionFor } from './consent.evaluator';

const at = new Date('2026-01-01T00:00:00Z');
const clinician = (organisation?: string, breakGlassReason?: string) => ({
  organisation,
  directCare: true,
  secondaryUse: false,
  breakGlassReason,
});

describe('consent rules: which directives hide a patient from whom', () => {
  it('objections hide from clinicians, except from an organisation the objection permits', () => {
    expect(consentRestrictionFor(clinician('RX1'), at)).toEqual({
      at,
      hiding: [{ kind: 'sharing-objection', unlessPermits: 'RX1' }],
    });
  });

  it('a clinician with no organisation is permitted by no objection', () => {
    expect(consentRestrictionFor(clinician(), at)?.hiding).toEqual([
      { kind: 'sharing-objection', unlessPermits: undefined },
    ]);
  });

  it('break-glass with a reason lifts objections (the access is audited as such)', () => {
    expect(consentRestrictionFor(clinician('RX1', 'Unconscious in ED'), at)).toBeUndefined();
  });

  it('the national data opt-out hides from secondary use only; objections do not', () => {
    expect(consentRestrictionFor({ directCare: false, secondaryUse: true }, at)).toEqual({
      at,
      hiding: [{ kind: 'data-opt-out' }],
    });
    expect(consentRestrictionFor({ directCare: false, secondaryUse: false }, at)).toBeUndefined();
  });
});
