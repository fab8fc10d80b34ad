import { jaro, jaroWinkler } from './jaro-winkler';

describe('Jaro–Winkler', () => {
  // Reference values: Winkler (1990) and the worked examples most implementations test against.
  it.each([
    ['MARTHA', 'MARHTA', 0.944, 0.961],
    ['DWAYNE', 'DUANE', 0.822, 0.84],
    ['DIXON', 'DICKSONX', 0.767, 0.813],
    ['JELLYFISH', 'SMELLYFISH', 0.896, 0.896],
  ])('%s / %s: Jaro %f, Jaro–Winkler %f', (a, b, expectedJaro, expectedJaroWinkler) => {
    expect(jaro(a, b)).toBeCloseTo(expectedJaro, 3);
    expect(jaroWinkler(a, b)).toBeCloseTo(expectedJaroWinkler, 3);
  });

  it('is symmetric, 1 for equal strings and 0 when nothing matches or one side is empty', () => {
    expect(jaroWinkler('DUANE', 'DWAYNE')).toBeCloseTo(jaroWinkler('DWAYNE', 'DUANE'), 12);
    expect(jaroWinkler('okafor', 'okafor')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'smith')).toBe(0);
  });

  it('stays correct for names longer than its preallocated buffers', () => {
    const long = 'a'.repeat(100) + 'bc';
    const swapped = 'a'.repeat(100) + 'cb';
    expect(jaro(long, swapped)).toBeCloseTo((1 + 1 + 101 / 102) / 3, 10);
    expect(jaro('MARTHA', 'MARHTA')).toBeCloseTo(0.944, 3); // buffers reset between calls
  });
});
