import { isValidNhsNumber } from '@continuum/fhir';
import { allocateNhsNumber, MAX_PEOPLE } from './nhs-number.allocator';

describe('allocateNhsNumber', () => {
  it('gives valid, unique numbers in the 999 test range', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const nhs = allocateNhsNumber('42', i);
      expect(nhs).toMatch(/^999\d{7}$/);
      expect(isValidNhsNumber(nhs)).toBe(true);
      seen.add(nhs);
    }
    expect(seen.size).toBe(20_000);
  });

  it('depends on the seed and nothing else', () => {
    expect(allocateNhsNumber('42', 7)).toBe(allocateNhsNumber('42', 7));
    expect(allocateNhsNumber('42', 7)).not.toBe(allocateNhsNumber('43', 7));
  });

  it('refuses indexes beyond the test range capacity', () => {
    expect(() => allocateNhsNumber('42', MAX_PEOPLE)).toThrow(RangeError);
  });
});
