import { percentile, summarise } from './latency.recorder';

describe('latency percentiles', () => {
  it('uses the nearest rank, like HdrHistogram', () => {
    const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(500);
    expect(percentile(sorted, 99)).toBe(990);
    expect(percentile(sorted, 99.9)).toBe(999);
    expect(percentile(sorted, 100)).toBe(1000);
    expect(percentile(sorted, 0)).toBe(1);
  });

  it('handles one sample and none', () => {
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises unsorted samples', () => {
    const s = summarise([5, 1, 3, 2, 4]);
    expect(s).toMatchObject({ count: 5, min: 1, max: 5, mean: 3, p50: 3 });
  });
});
