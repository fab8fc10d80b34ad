/** A decimal search value with the interval its precision implies: `100` is [99.5, 100.5), `100.0` [99.95, 100.05). */
export interface DecimalRange {
  /** The value as written (decimal text, no exponent), for exact comparisons in SQL numeric. */
  value: string;
  low: string;
  high: string;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a decimal with its implicit precision range. Exponent forms keep their significant figures:
 * `1e2` is [50, 150), `1.0e2` [95, 105). Arithmetic is done on decimal strings so `0.1`-style values stay exact.
 */
export function decimalRange(text: string): DecimalRange | undefined {
  const match = DECIMAL.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponentText] = match;
  const exponent = exponentText ? Number(exponentText) : 0;
  // The value is digits × 10^scale; half a unit of the last significant digit either side.
  const digits = BigInt(`${whole}${fraction}`) * (sign === '-' ? -1n : 1n);
  const scale = exponent - fraction.length;
  const twice = digits * 2n;
  return {
    value: toDecimal(digits, scale),
    low: toDecimal(twice - 1n, scale, 1),
    high: toDecimal(twice + 1n, scale, 1),
  };
}

/** `digits × 10^scale / 2^halves` as plain decimal text (halves = 1 means divided by two: ×5 and one more place). */
function toDecimal(digits: bigint, scale: number, halves = 0): string {
  let value = digits * 5n ** BigInt(halves);
  let exp = scale - halves;
  if (exp > 0) {
    value *= 10n ** BigInt(exp);
    exp = 0;
  }
  const negative = value < 0n;
  let text = (negative ? -value : value).toString();
  const places = -exp;
  if (places > 0) {
    text = text.padStart(places + 1, '0');
    text = `${text.slice(0, text.length - places)}.${text.slice(text.length - places)}`.replace(/\.?0+$/, '');
  }
  return `${negative ? '-' : ''}${text}`;
}
