/**
 * NHS numbers: ten digits, the last a modulus 11 check digit (NHS Data Dictionary).
 * Pure functions; normalisation only removes the separators people and systems type (spaces, dashes).
 */

const WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2];

/** The check digit for the first nine digits, or undefined when no valid number can end in them (remainder 10). */
export function nhsNumberCheckDigit(firstNine: string): number | undefined {
  if (!/^\d{9}$/.test(firstNine)) throw new RangeError('nhsNumberCheckDigit needs exactly nine digits');
  const total = WEIGHTS.reduce((sum, weight, i) => sum + weight * Number(firstNine[i]), 0);
  const check = 11 - (total % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined;
  return check;
}

/** Removes spaces and dashes; anything else is left for validation to refuse. */
export function normaliseNhsNumber(input: string): string {
  return input.trim().replace(/[\s-]/g, '');
}

export function isValidNhsNumber(input: string): boolean {
  const digits = normaliseNhsNumber(input);
  if (!/^\d{10}$/.test(digits)) return false;
  return nhsNumberCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

/** Why a string is not a valid NHS number, in words fit for an OperationOutcome; undefined when it is valid. */
export function nhsNumberProblem(input: string): string | undefined {
  const digits = normaliseNhsNumber(input);
  if (!/^\d+$/.test(digits)) return `NHS number '${input}' contains characters other than digits, spaces and dashes`;
  if (digits.length !== 10) return `NHS number '${input}' has ${digits.length} digits; it must have 10`;
  if (!isValidNhsNumber(digits)) return `NHS number '${input}' fails the modulus 11 check digit`;
  return undefined;
}
