import type { Random } from '../random/random';

/** Digit positions of YYYY-MM-DD a keying error can hit: the decade and year, both of the month, both of the day. */
const DIGIT_POSITIONS = [2, 3, 5, 6, 8, 9];

/** A real calendar date not after `today` and not before 1900. */
function plausible(date: string, today: string): boolean {
  if (date > today || date < '1900-01-01') return false;
  const [y, m, d] = date.split('-').map(Number);
  const parsed = new Date(Date.UTC(y, m - 1, d));
  return parsed.getUTCFullYear() === y && parsed.getUTCMonth() === m - 1 && parsed.getUTCDate() === d;
}

/** Only the year known: the 1 January that systems record for an unknown day and month. */
export function januaryFirst(date: string): string | undefined {
  const out = `${date.slice(0, 4)}-01-01`;
  return out === date ? undefined : out;
}

/** Day and month swapped (an American-style entry), when that is another real date. */
export function dayMonthSwapped(date: string, today: string): string | undefined {
  const m = date.slice(5, 7);
  const d = date.slice(8, 10);
  if (d === m || d > '12') return undefined;
  const out = `${date.slice(0, 4)}-${d}-${m}`;
  // a day of 12 or less exists in every month, so only "not after today" needs checking
  return out <= today ? out : undefined;
}

/** One digit keyed wrong, giving another real date no later than today; undefined when no digit can be. */
export function oneDigitWrong(date: string, today: string, rng: Random): string | undefined {
  const options: string[] = [];
  const start = rng.int(0, DIGIT_POSITIONS.length - 1);
  for (let k = 0; k < DIGIT_POSITIONS.length && options.length === 0; k++) {
    const at = DIGIT_POSITIONS[(start + k) % DIGIT_POSITIONS.length];
    for (let digit = 0; digit <= 9; digit++) {
      if (String(digit) === date[at]) continue;
      const candidate = date.slice(0, at) + digit + date.slice(at + 1);
      if (plausible(candidate, today)) options.push(candidate);
    }
  }
  return options.length > 0 ? rng.pick(options) : undefined;
}
