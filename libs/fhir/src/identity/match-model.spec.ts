import { MATCH_FIELDS } from './comparison-levels';
import { DEFAULT_MATCH_MODEL, parameterisedLevels, parseMatchModel, type MatchModel } from './match-model';
import { score } from './scoring';
import { aRecord, NHS_NUMBERS } from './testing/patients';

describe('match model', () => {
  it('defaults: m and u of every field are distributions over its non-neutral levels', () => {
    for (const field of MATCH_FIELDS) {
      const parameters = parameterisedLevels(field).map(
        (level) => (DEFAULT_MATCH_MODEL.fields[field] as Record<string, { m: number; u: number }>)[level],
      );
      expect(parameters.every(({ m, u }) => m > 0 && u > 0)).toBe(true);
      expect(parameters.reduce((sum, { m }) => sum + m, 0)).toBeCloseTo(1, 9);
      expect(parameters.reduce((sum, { u }) => sum + u, 0)).toBeCloseTo(1, 9);
    }
    expect(DEFAULT_MATCH_MODEL.provenance.origin).toBe('defaults');
    expect(Object.isFrozen(DEFAULT_MATCH_MODEL.fields.family.exact)).toBe(true);
  });

  it('goes to JSON and back unchanged, and scores the same afterwards', () => {
    const model: MatchModel = {
      ...DEFAULT_MATCH_MODEL,
      termFrequencies: {
        family: {
          values: { smith: 0.011, constructor: 0.0001 },
          floor: 1e-5,
          minimum: 1e-4,
          records: 100_000,
        },
      },
    };
    const restored = parseMatchModel(JSON.parse(JSON.stringify(model)));
    expect(restored).toEqual(model);
    const a = aRecord({ nhs: NHS_NUMBERS[0], family: 'Smith', given: ['Ravi'], birthDate: '1966-02-02' });
    const b = aRecord({ family: 'Smith', given: ['Ravi'], birthDate: '1966-02-02', postcode: 'LS1 4AP' });
    expect(score(a, b, restored)).toEqual(score(a, b, model));
  });

  it('refuses a broken model, naming what is wrong', () => {
    const json = JSON.parse(JSON.stringify(DEFAULT_MATCH_MODEL)) as Record<string, unknown>;
    expect(() => parseMatchModel({ ...json, format: 'splink' })).toThrow(/format/);
    expect(() => parseMatchModel({ ...json, prior: 0 })).toThrow(/prior/);
    expect(() => parseMatchModel({ ...json, thresholds: { match: 0.5, possible: 0.9 } })).toThrow(
      /thresholds/,
    );
    const fields = JSON.parse(JSON.stringify(DEFAULT_MATCH_MODEL.fields)) as Record<
      string,
      Record<string, unknown>
    >;
    delete fields.birthDate['day-month-swap'];
    expect(() => parseMatchModel({ ...json, fields })).toThrow(/fields\.birthDate\.day-month-swap/);
    expect(() =>
      parseMatchModel({
        ...json,
        termFrequencies: { given: { values: { ann: 2 }, floor: 1e-5, minimum: 1e-4, records: 1 } },
      }),
    ).toThrow(/termFrequencies\.given\.values\.ann/);
    expect(() => parseMatchModel('{}')).toThrow(/not an object/);
  });
});
