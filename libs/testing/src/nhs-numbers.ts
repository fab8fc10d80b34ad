import { nhsNumberCheckDigit } from '@continuum/fhir';

/** A random valid NHS number from the test range (999 ...), different on every call. */
export function aValidNhsNumber(): string {
  for (;;) {
    const firstNine = `999${String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0')}`;
    const check = nhsNumberCheckDigit(firstNine);
    if (check !== undefined) return `${firstNine}${check}`;
  }
}

/** The same number with its check digit broken. */
export function anInvalidNhsNumber(): string {
  const valid = aValidNhsNumber();
  return `${valid.slice(0, 9)}${(Number(valid[9]) + 1) % 10}`;
}
