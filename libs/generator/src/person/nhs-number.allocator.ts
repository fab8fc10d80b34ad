import { nhsNumberCheckDigit } from '@continuum/fhir';
import { hash32 } from '../random/random';

/** Stems are '999' + five digits: 100,000 stems, each with at least nine valid ninth digits. */
const STEMS = 100_000;
const PER_STEM = 9;
export const MAX_PEOPLE = STEMS * PER_STEM;

/**
 * A unique NHS number in the test range (999…) for person `index`: the index picks a stem through a seed-keyed
 * bijection (a·i + b mod 100,000 with a coprime to 10) and one of the stem's valid ninth digits. Unique by
 * construction, so no set of used numbers is kept and memory stays constant.
 */
export function allocateNhsNumber(seed: string, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_PEOPLE) {
    throw new RangeError(`person index ${index} is outside 0..${MAX_PEOPLE - 1} (the 999 test range holds ${MAX_PEOPLE} people here)`);
  }
  const offset = hash32(`${seed}/nhs-number`) % STEMS;
  const stem = (Number((BigInt(Math.floor(index / PER_STEM)) * 48271n + BigInt(offset)) % BigInt(STEMS)));
  const prefix = `999${String(stem).padStart(5, '0')}`;
  let wanted = index % PER_STEM;
  for (let ninth = 0; ninth <= 9; ninth++) {
    const firstNine = `${prefix}${ninth}`;
    const check = nhsNumberCheckDigit(firstNine);
    if (check === undefined) continue;
    if (wanted === 0) return `${firstNine}${check}`;
    wanted--;
  }
  throw new Error(`stem ${prefix} has fewer than ${PER_STEM} valid NHS numbers`);
}
