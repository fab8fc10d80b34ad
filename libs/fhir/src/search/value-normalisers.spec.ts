import { decimalRange } from './decimal-range';
import { numbersOf, quantitiesOf } from './value-normalisers';

describe('value normalisers', () => {
  it('store a number as the plain decimal decimalRange writes, exponent forms expanded', () => {
    const numbers = [
      0, -0, 1, -1, 0.1, 0.5, 166, 120.25, -37.5, 1e21, 1.5e22, 1e-7, -2.5e-9, 123456789.123, 5e-324,
    ];
    for (let i = 0; i < 1000; i++)
      numbers.push((Math.random() - 0.5) * 10 ** Math.round(Math.random() * 40 - 20));
    for (const value of numbers) {
      const expected = decimalRange(String(value))?.value;
      expect(numbersOf({ type: 'decimal', value })).toEqual([{ low: expected, high: expected }]);
    }
    expect(numbersOf({ type: 'decimal', value: 1e-7 })).toEqual([{ low: '0.0000001', high: '0.0000001' }]);
  });

  it('store a UCUM quantity also in base units, once for both bounds', () => {
    expect(
      quantitiesOf({
        type: 'Quantity',
        value: { value: 5.4, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' },
      }),
    ).toEqual([
      { low: '5.4', high: '5.4', system: 'http://unitsofmeasure.org', unit: 'mg', unitText: undefined },
      { low: '0.0054', high: '0.0054', system: 'http://unitsofmeasure.org', unit: 'g', canonical: true },
    ]);
    expect(
      quantitiesOf({
        type: 'Range',
        value: { low: { value: 1, system: 'http://unitsofmeasure.org', code: 'kg' } },
      }),
    ).toEqual([
      { low: '1', high: undefined, system: 'http://unitsofmeasure.org', unit: 'kg', unitText: undefined },
      { low: '1000', high: undefined, system: 'http://unitsofmeasure.org', unit: 'g', canonical: true },
    ]);
  });
});
