import { rangeCount, rangeEnds } from './key-ranges';

describe('cutting a scan into key ranges', () => {
  it('gives a range per rowsPerRange rows, at least one and at most maxRanges', () => {
    const cut = { rowsPerRange: 50_000, maxRanges: 8 };
    expect(rangeCount(0, cut)).toBe(1);
    expect(rangeCount(50_000, cut)).toBe(1);
    expect(rangeCount(50_001, cut)).toBe(2);
    expect(rangeCount(101_190, cut)).toBe(3);
    expect(rangeCount(1_011_900, cut)).toBe(8);
  });

  it('ends each range at the sample’s quantile, as percentile_disc does', () => {
    const keys = Array.from({ length: 100 }, (_, n) => String(n + 1)); // 1..100
    expect(rangeEnds(keys, 4)).toEqual(['25', '50', '75']);
    expect(rangeEnds(keys, 3)).toEqual(['34', '67']);
    expect(rangeEnds(keys, 1)).toEqual([]);
  });

  it('gives fewer ends than asked rather than empty ranges when the sample is small', () => {
    expect(rangeEnds(['7'], 4)).toEqual(['7']);
    expect(rangeEnds(['7', '9'], 4)).toEqual(['7', '9']);
    expect(rangeEnds([], 4)).toEqual([]);
  });
});
