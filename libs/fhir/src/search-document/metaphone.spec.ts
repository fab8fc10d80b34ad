import { metaphone } from './metaphone';

describe('metaphone', () => {
  it.each([
    ['Smith', 'Smyth'],
    ['Catherine', 'Kathryn'],
    ['Stephen', 'Steven'],
    ['John', 'Jon'],
    ['Mohammed', 'Muhammad'],
    ['Philips', 'Fillips'],
    ['Zoë', 'Zoe'],
    ['Knight', 'Nite'],
  ])('gives %s and %s the same key', (a, b) => {
    expect(metaphone(a)).toBe(metaphone(b));
  });

  it.each([
    ['Smith', 'SM0'],
    ['Catherine', 'K0RN'],
    ['Thompson', '0MPSN'],
    ['Schmidt', 'SKMTT'],
    ['Xavier', 'SFR'],
    ['Wright', 'RT'],
    ['Judge', 'JJ'],
    ['Accent', 'AKSNT'],
  ])('keys %s as %s', (name, key) => {
    expect(metaphone(name)).toBe(key);
  });

  it('keeps different-sounding names apart and ignores what is not a letter', () => {
    expect(metaphone('Smith')).not.toBe(metaphone('Jones'));
    expect(metaphone("O'Brien")).toBe(metaphone('OBrien'));
    expect(metaphone('123')).toBe('');
  });
});
