import { TokenBuckets } from './token-bucket';

describe('per-client token buckets', () => {
  it('allows a burst, refuses the next, refills with time, and keeps clients apart', () => {
    const buckets = new TokenBuckets(60, 3);
    const t0 = 1_000_000;
    expect([1, 2, 3, 4].map(() => buckets.take('a', t0))).toEqual([true, true, true, false]);
    expect(buckets.take('b', t0)).toBe(true);
    expect(buckets.take('a', t0 + 1_000)).toBe(true);
    expect(buckets.take('a', t0 + 1_000)).toBe(false);
  });
});
