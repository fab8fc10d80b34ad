import { compareInto } from './compare';
import { MATCH_FIELDS, MATCH_LEVELS } from './comparison-levels';
import type { PreparedRecord } from './prepared-record';

const SIZES = MATCH_FIELDS.map((field) => MATCH_LEVELS[field].length);
const STRIDES = SIZES.map((_, index) => SIZES.slice(index + 1).reduce((product, size) => product * size, 1));
const PATTERN_COUNT = SIZES.reduce((product, size) => product * size, 1);

/**
 * How many pairs showed each comparison vector (one level per field). There are only 5·8·10·6·5·3 = 36,000
 * possible vectors, so EM iterates over the distinct vectors seen rather than over millions of pairs.
 */
export class ComparisonPatterns {
  readonly counts = new Float64Array(PATTERN_COUNT);
  total = 0;

  /** Counts the comparison vectors of pairs (left[k], right[k]) for k < count. */
  static ofPairs(
    records: readonly PreparedRecord[],
    pairs: { count: number; left: ArrayLike<number>; right: ArrayLike<number> },
  ): ComparisonPatterns {
    const patterns = new ComparisonPatterns();
    const levels = new Uint8Array(MATCH_FIELDS.length);
    for (let k = 0; k < pairs.count; k++)
      patterns.add(compareInto(records[pairs.left[k]], records[pairs.right[k]], levels));
    return patterns;
  }

  add(levels: ArrayLike<number>, count = 1): void {
    let code = 0;
    for (let field = 0; field < SIZES.length; field++) {
      const level = levels[field];
      if (!(level >= 0 && level < SIZES[field]))
        throw new RangeError(`level ${level} of ${MATCH_FIELDS[field]}`);
      code += level * STRIDES[field];
    }
    this.counts[code] += count;
    this.total += count;
  }

  /** Each comparison vector seen, with its count. The levels array is reused between calls. */
  forEach(visit: (levels: Uint8Array, count: number) => void): void {
    const levels = new Uint8Array(MATCH_FIELDS.length);
    for (let code = 0; code < PATTERN_COUNT; code++) {
      const count = this.counts[code];
      if (count === 0) continue;
      for (let field = 0; field < SIZES.length; field++)
        levels[field] = Math.floor(code / STRIDES[field]) % SIZES[field];
      visit(levels, count);
    }
  }
}
