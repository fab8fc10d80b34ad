import { DEFAULT_MATCH_MODEL, type MatchModel } from './match-model';
import { classifyMatch, matchGradeOf, matchWeight, probabilityOfWeight, score } from './scoring';
import { aRecord, NHS_NUMBERS, type PatientFacts } from './testing/patients';

const [NHS_A, NHS_B, NHS_C] = NHS_NUMBERS;

const adaeze: PatientFacts = {
  family: 'Okafor',
  given: ['Adaeze'],
  birthDate: '1984-03-17',
  postcode: 'LS6 2AB',
  gender: 'female',
};

const scoreOf = (a: PatientFacts, b: PatientFacts, model: MatchModel = DEFAULT_MATCH_MODEL) =>
  score(aRecord(a), aRecord(b), model);

describe('score', () => {
  it('links the same demographics from two sources without an NHS number: MATCH, IHE probable', () => {
    const result = scoreOf(adaeze, { ...adaeze, postcode: 'ls62ab' });
    expect(result.decision).toBe('MATCH');
    expect(result.grade).toBe('probable');
    expect(result.probability).toBeGreaterThan(0.999999);
  });

  it('explains itself: the prior, then every field’s level and weight, adding up to the total weight', () => {
    const result = scoreOf(
      { ...adaeze, nhs: NHS_A, nhsStatus: '02' },
      { ...adaeze, given: ['Adaeze', 'Ngozi'] },
    );
    const { prior, fields } = result.explanation;
    expect(prior.probability).toBe(DEFAULT_MATCH_MODEL.prior);
    expect(prior.weight).toBeCloseTo(Math.log2(1e-6 / (1 - 1e-6)), 10);
    expect(fields.map(({ field, level }) => `${field}:${level}`)).toEqual([
      'nhsNumber:absent',
      'family:exact',
      'given:exact',
      'birthDate:exact',
      'postcode:full',
      'sex:equal',
    ]);
    expect(fields[0]).toEqual({ field: 'nhsNumber', level: 'absent', weight: 0 });
    expect(fields[1]).toMatchObject({ m: 0.86, u: 0.0025, weight: Math.log2(0.86 / 0.0025) });
    const sum = fields.reduce((total, field) => total + field.weight, prior.weight);
    expect(sum).toBeCloseTo(result.weight, 10);
    expect(result.probability).toBeCloseTo(probabilityOfWeight(result.weight), 12);
    expect(result.explanation.rules).toEqual([]);
  });

  it('calibrates: probability = 1 / (1 + 2^−weight), and matchWeight agrees with score', () => {
    const a = aRecord(adaeze);
    const b = aRecord({ ...adaeze, birthDate: '1984-03-18', postcode: 'LS6 3QR' });
    const result = score(a, b, DEFAULT_MATCH_MODEL);
    expect(matchWeight(a, b, DEFAULT_MATCH_MODEL)).toBeCloseTo(result.weight, 12);
    expect(result.probability).toBeCloseTo(2 ** result.weight / (1 + 2 ** result.weight), 12);
    expect(probabilityOfWeight(0)).toBe(0.5);
  });

  it('keeps different people apart', () => {
    const result = scoreOf(adaeze, {
      family: 'Kowalski',
      given: ['Piotr'],
      birthDate: '1990-11-02',
      postcode: 'BD7 1DP',
      gender: 'male',
    });
    expect(result.decision).toBe('NO_MATCH');
    expect(result.grade).toBe('certainly-not');
    expect(result.probability).toBeLessThan(1e-12);
  });

  describe('hard rules', () => {
    it('two different verified NHS numbers never link automatically, whatever the demographics', () => {
      const result = scoreOf({ ...adaeze, nhs: NHS_A }, { ...adaeze, nhs: NHS_B });
      expect(result).toMatchObject({ decision: 'NO_MATCH', grade: 'certainly-not', probability: 0 });
      expect(result.explanation.rules).toEqual([
        expect.objectContaining({ rule: 'different-verified-nhs-numbers', effect: 'never-link' }),
      ]);
      expect(result.explanation.rules[0].reason).toMatch(/verified NHS number/);
      // Unverified numbers that differ are evidence against, not a rule.
      const unverified = scoreOf({ ...adaeze, nhs: NHS_A }, { ...adaeze, nhs: NHS_B, nhsStatus: '02' });
      expect(unverified.explanation.rules).toEqual([]);
      expect(unverified.explanation.fields[0].level).toBe('different');
      expect(unverified.explanation.fields[0].weight).toBeLessThan(0);
    });

    it('the same verified NHS number and birth date is certain, even when names were recorded differently', () => {
      const result = scoreOf(
        { nhs: NHS_A, family: 'Mensah', given: ['Abena'], birthDate: '1961-07-04', gender: 'female' },
        { nhs: NHS_A, family: 'Asante', given: ['Abena'], birthDate: '1961-07-04', postcode: 'HX1 1AA' },
      );
      expect(result).toMatchObject({ decision: 'MATCH', grade: 'certain', probability: 1 });
      expect(result.explanation.rules).toEqual([
        expect.objectContaining({ rule: 'verified-nhs-number-and-birth-date', effect: 'certain' }),
      ]);
    });

    it('a verified NHS number shared with a different birth date is left to the score', () => {
      const result = scoreOf({ ...adaeze, nhs: NHS_A }, { ...adaeze, nhs: NHS_A, birthDate: '1984-03-18' });
      expect(result.explanation.rules).toEqual([]);
      expect(result.decision).toBe('MATCH');
      expect(result.grade).toBe('probable');
    });

    it('a re-issued NHS number is never linked on demographics alone: POSSIBLE_MATCH at most, reason stated', () => {
      const reissued = { ...adaeze, nhs: NHS_B, oldNhs: [NHS_C] };
      const result = scoreOf(reissued, adaeze);
      expect(result.probability).toBeGreaterThan(0.999);
      expect(result.decision).toBe('POSSIBLE_MATCH');
      expect(result.grade).toBe('possible');
      expect(result.explanation.rules).toEqual([
        expect.objectContaining({ rule: 'reissued-nhs-number', effect: 'at-most-possible' }),
      ]);
      expect(result.explanation.rules[0].reason).toMatch(/demographics alone/);
    });

    it('a re-issued record links through the number it superseded, which is not demographics alone', () => {
      const result = scoreOf(
        { ...adaeze, nhs: NHS_B, oldNhs: [NHS_C] },
        { ...adaeze, nhs: NHS_C, nhsStatus: '02' },
      );
      expect(result.explanation.fields[0].level).toBe('superseded-equal');
      expect(result.explanation.rules).toEqual([]);
      expect(result.decision).toBe('MATCH');
    });

    it('twins (everything shared but the first name) go to review rather than link', () => {
      const twin = { ...adaeze, given: ['Chioma'] };
      const result = scoreOf(adaeze, twin);
      expect(result.decision).toBe('POSSIBLE_MATCH');
      expect(result.explanation.rules).toEqual([expect.objectContaining({ rule: 'given-names-differ' })]);
      // With both NHS numbers verified, they are two people.
      expect(scoreOf({ ...adaeze, nhs: NHS_A }, { ...twin, nhs: NHS_B }).decision).toBe('NO_MATCH');
    });
  });

  describe('names of every origin', () => {
    it.each<[string, PatientFacts, PatientFacts]>([
      [
        'Chinese name order',
        { family: 'Chen', given: ['Wei'], birthDate: '1979-05-30', postcode: 'LS2 9JT', gender: 'male' },
        { family: 'Wei', given: ['Chen'], birthDate: '1979-05-30', postcode: 'LS2 9JT', gender: 'male' },
      ],
      [
        'Igbo name, family first in one source',
        {
          family: 'Okonkwo',
          given: ['Chinedu'],
          birthDate: '1990-12-01',
          postcode: 'BD3 9LN',
          gender: 'male',
        },
        { family: 'Chinedu', given: ['Okonkwo'], birthDate: '1990-12-01', postcode: 'BD3 9LN' },
      ],
      [
        'Hungarian name order',
        { family: 'Nagy', given: ['Eszter'], birthDate: '1995-02-14', postcode: 'WF1 2AP', gender: 'female' },
        { family: 'Eszter', given: ['Nagy'], birthDate: '1995-02-14', postcode: 'WF1 2AP', gender: 'female' },
      ],
    ])('transposed given and family names score as a probable match: %s', (_, a, b) => {
      const result = scoreOf(a, b);
      expect(result.explanation.fields[1].level).toBe('transposed');
      expect(result.decision).toBe('MATCH');
      expect(result.grade).toBe('probable');
    });

    it.each<[string, PatientFacts, PatientFacts]>([
      [
        'multi-part South Asian given names',
        { family: 'Rahman', given: ['Mohammed', 'Abdul'], birthDate: '1958-10-03', postcode: 'BD8 7AX' },
        { family: 'Rahman', given: ['Abdul'], birthDate: '1958-10-03', postcode: 'BD8 7AX' },
      ],
      [
        'a Sikh name with and without the family name',
        { family: 'Sandhu', given: ['Harpreet', 'Kaur'], birthDate: '1972-04-09', postcode: 'LS28 5HA' },
        { family: 'Kaur', given: ['Harpreet'], birthDate: '1972-04-09', postcode: 'LS28 5HA' },
      ],
      [
        'a hyphenated family name shortened',
        { family: 'Smith-Jones', given: ['Eleanor'], birthDate: '2001-06-21', postcode: 'HD1 2QA' },
        { family: 'Smith Jones', given: ['Ellie'], birthDate: '2001-06-21', postcode: 'HD1 2QA' },
      ],
      [
        'a Polish diminutive and a dropped accent',
        { family: 'Wiśniewska', given: ['Małgorzata'], birthDate: '1969-08-15', postcode: 'LS11 5DJ' },
        { family: 'Wisniewska', given: ['Gosia'], birthDate: '1969-08-15', postcode: 'LS11 5DJ' },
      ],
      [
        'a Yoruba short form and a misspelt surname',
        { family: 'Adebayo', given: ['Oluwaseun'], birthDate: '1988-01-27', postcode: 'LS8 3DR' },
        { family: 'Adebayor', given: ['Seun'], birthDate: '1988-01-27', postcode: 'LS8 3DR' },
      ],
      [
        'an English nickname at an older address in the same district',
        {
          family: 'Walker',
          given: ['Margaret'],
          birthDate: '1941-11-30',
          postcode: 'LS17 7DF',
          gender: 'female',
        },
        {
          family: 'Walker',
          given: ['Peggy'],
          birthDate: '1941-11-30',
          postcode: 'LS17 6AB',
          nhs: NHS_A,
          gender: 'female',
        },
      ],
    ])('%s', (_, a, b) => {
      expect(scoreOf(a, b).decision).toBe('MATCH');
    });
  });

  it('follows the model’s thresholds', () => {
    const b = { ...adaeze, postcode: 'BD7 1DP' }; // moved: name, birth date and sex still agree
    expect(scoreOf(adaeze, b).decision).toBe('POSSIBLE_MATCH');
    const lenient: MatchModel = { ...DEFAULT_MATCH_MODEL, thresholds: { match: 0.9, possible: 0.5 } };
    expect(scoreOf(adaeze, b, lenient).decision).toBe('MATCH');
    const strict: MatchModel = { ...DEFAULT_MATCH_MODEL, thresholds: { match: 0.9999999, possible: 0.9999 } };
    expect(scoreOf(adaeze, b, strict).decision).toBe('NO_MATCH');
  });

  it('classifies probabilities and maps decisions to IHE match grades', () => {
    const thresholds = { match: 0.99, possible: 0.2 };
    expect(classifyMatch(0.995, thresholds)).toBe('MATCH');
    expect(classifyMatch(0.99, thresholds)).toBe('MATCH');
    expect(classifyMatch(0.5, thresholds)).toBe('POSSIBLE_MATCH');
    expect(classifyMatch(0.1, thresholds)).toBe('NO_MATCH');
    expect(matchGradeOf('MATCH')).toBe('probable');
    expect(matchGradeOf('POSSIBLE_MATCH')).toBe('possible');
    expect(matchGradeOf('NO_MATCH')).toBe('certainly-not');
  });
});
