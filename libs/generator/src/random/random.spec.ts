import { Random } from './random';

describe('Random', () => {
  it('is a pure function of its labels', () => {
    const a = Random.of('seed', 'person', 3);
    const b = Random.of('seed', 'person', 3);
    expect(Array.from({ length: 5 }, () => a.nextUint32())).toEqual(Array.from({ length: 5 }, () => b.nextUint32()));
    expect(Random.of('seed', 'person', 4).nextUint32()).not.toBe(Random.of('seed', 'person', 3).nextUint32());
  });

  it('draws in range with the expected means', () => {
    const r = Random.of('stats');
    let sum = 0;
    let poisson = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = r.int(1, 6);
      expect(v >= 1 && v <= 6).toBe(true);
      sum += v;
      poisson += r.poisson(2.5);
    }
    expect(sum / 20_000).toBeCloseTo(3.5, 1);
    expect(poisson / 20_000).toBeCloseTo(2.5, 1);
  });

  it('makes version-4-shaped UUIDs', () => {
    expect(Random.of('ids').uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
