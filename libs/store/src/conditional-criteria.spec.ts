import { FhirError } from '@continuum/fhir';
import { normaliseCriteria, parseVersionTag } from './conditional-criteria';

describe('conditional criteria and version tags', () => {
  it('gives the same lock key for the same condition however it is written', () => {
    const a = normaliseCriteria('Patient', 'identifier=https://x|1&active=true');
    expect(normaliseCriteria('Patient', 'Patient?active=true&identifier=https%3A%2F%2Fx%7C1')).toBe(a);
    expect(a).not.toBe(normaliseCriteria('Patient', 'identifier=https://x|2&active=true'));
  });

  it('refuses empty criteria and criteria for another type', () => {
    expect(() => normaliseCriteria('Patient', '')).toThrow(FhirError);
    expect(() => normaliseCriteria('Patient', 'Observation?code=1')).toThrow(FhirError);
  });

  it('reads weak and strong ETags and bare numbers', () => {
    expect(parseVersionTag('W/"3"')).toBe(3);
    expect(parseVersionTag('"4"')).toBe(4);
    expect(parseVersionTag('5')).toBe(5);
    expect(parseVersionTag(6)).toBe(6);
    expect(() => parseVersionTag('W/"x"')).toThrow(FhirError);
  });
});
