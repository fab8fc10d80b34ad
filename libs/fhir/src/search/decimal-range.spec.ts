import { decimalRange } from './decimal-range';

describe('decimalRange', () => {
  it.each([
    ['100', '100', '99.5', '100.5'],
    ['100.0', '100', '99.95', '100.05'],
    ['0.5', '0.5', '0.45', '0.55'],
    ['0.50', '0.5', '0.495', '0.505'],
    ['-5.25', '-5.25', '-5.255', '-5.245'],
    ['1.0e2', '100', '95', '105'],
    ['1e2', '100', '50', '150'],
    ['0', '0', '-0.5', '0.5'],
  ])('%s → %s in [%s, %s)', (text, value, low, high) =>
    expect(decimalRange(text)).toEqual({ value, low, high }),
  );

  it.each(['', 'abc', '1..2', '0x10'])('refuses %s', (text) => expect(decimalRange(text)).toBeUndefined());
});
