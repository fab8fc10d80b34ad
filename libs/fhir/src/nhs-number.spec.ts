import { isValidNhsNumber, nhsNumberCheckDigit, nhsNumberProblem, normaliseNhsNumber } from './nhs-number';

describe('NHS number', () => {
  it('accepts a valid number from the NHS test range, with or without separators', () => {
    expect(isValidNhsNumber('9000000009')).toBe(true);
    expect(isValidNhsNumber('900 000 0009')).toBe(true);
    expect(isValidNhsNumber('900-000-0009')).toBe(true);
  });

  it('refuses a wrong check digit and says why', () => {
    expect(isValidNhsNumber('9000000001')).toBe(false);
    expect(nhsNumberProblem('9000000001')).toMatch(/modulus 11/);
  });

  it('refuses wrong lengths and letters with specific reasons', () => {
    expect(nhsNumberProblem('90000000')).toMatch(/8 digits/);
    expect(nhsNumberProblem('90000A0009')).toMatch(/characters other than digits/);
  });

  it('has no check digit when the remainder is 10, so such numbers are never issued', () => {
    const firstNine = '000000001'; // weighted sum 2: check digit 9
    // '000020000' has a weighted sum of 12, remainder 1, so its check digit would be 10
    expect(nhsNumberCheckDigit(firstNine)).toBe(9);
    expect(nhsNumberCheckDigit('000020000')).toBeUndefined();
  });

  it('normalises by removing only spaces and dashes', () => {
    expect(normaliseNhsNumber(' 943 476-5919 ')).toBe('9434765919');
  });
});
