import {
  compareBirthDate,
  compareFamily,
  compareGiven,
  compareInto,
  compareNhsNumber,
  comparePostcode,
  compareSex,
} from './compare';
import {
  BIRTH_DATE,
  FAMILY,
  MATCH_FIELDS,
  GIVEN,
  MATCH_LEVELS,
  NHS,
  POSTCODE,
  SEX,
  matchLevelName,
  type MatchField,
} from './comparison-levels';
import { matchingPhoneticKey } from './prepared-record';
import { aRecord, NHS_NUMBERS, type PatientFacts } from './testing/patients';

const [NHS_A, NHS_B, NHS_C] = NHS_NUMBERS;

function level(field: MatchField, a: PatientFacts, b: PatientFacts): string {
  const levels = compareInto(aRecord(a), aRecord(b), new Uint8Array(MATCH_FIELDS.length));
  return matchLevelName(field, levels[MATCH_FIELDS.indexOf(field)]);
}

describe('comparison levels', () => {
  it('index constants name the levels they stand for', () => {
    const byName = (levels: readonly string[]) =>
      levels.map((name) => name.replace(/[-.]/g, '').toLowerCase());
    expect(byName(MATCH_LEVELS.nhsNumber)).toEqual(Object.keys(NHS).map((key) => key.toLowerCase()));
    expect(Object.values(FAMILY)).toEqual(MATCH_LEVELS.family.map((_, index) => index));
    expect(Object.values(GIVEN)).toEqual(MATCH_LEVELS.given.map((_, index) => index));
    expect(Object.keys(BIRTH_DATE).map((key) => key.toLowerCase())).toEqual(byName(MATCH_LEVELS.birthDate));
    expect(Object.keys(POSTCODE)).toEqual([...MATCH_LEVELS.postcode]);
    expect(Object.keys(SEX)).toEqual([...MATCH_LEVELS.sex]);
  });

  describe('NHS number', () => {
    it.each<[string, PatientFacts, PatientFacts]>([
      ['verified-equal', { nhs: NHS_A }, { nhs: NHS_A }],
      ['equal', { nhs: NHS_A }, { nhs: NHS_A, nhsStatus: '02' }],
      ['superseded-equal', { nhs: NHS_B, oldNhs: [NHS_A] }, { nhs: NHS_A }],
      ['superseded-equal', { nhs: NHS_A }, { oldNhs: [NHS_A] }],
      ['different', { nhs: NHS_A }, { nhs: NHS_B }],
      ['absent', { nhs: NHS_A }, {}],
      ['absent', { nhs: NHS_A }, { nhs: '9991000004' }], // fails the check digit: not a number at all
    ])('%s', (expected, a, b) => {
      expect(level('nhsNumber', a, b)).toBe(expected);
      expect(level('nhsNumber', b, a)).toBe(expected);
    });

    it('an unrelated superseded number does not make different numbers agree', () => {
      expect(compareNhsNumber(aRecord({ nhs: NHS_A, oldNhs: [NHS_C] }), aRecord({ nhs: NHS_B }))).toBe(
        NHS.different,
      );
    });
  });

  describe('family name', () => {
    it.each<[string, string, string]>([
      ['exact', 'Okafor', 'OKAFOR'],
      ['exact', "O'Brien", 'OBrien'],
      ['exact', 'Núñez', 'Nunez'],
      ['phonetic', 'Smith', 'Smyth'],
      ['phonetic', 'Philips', 'Fillips'],
      ['phonetic', 'Hussain', 'Hussein'],
      ['token', 'Smith-Jones', 'Jones'],
      ['token', 'Núñez García', 'García'],
      ['jw-0.94', 'Kowalczyk', 'Kowalcyzk'],
      ['jw-0.94', 'Chowdhury', 'Chowdury'],
      ['jw-0.88', 'Wojciechowski', 'Wojciekowsky'],
      ['different', 'Mensah', 'Hussain'],
    ])('%s: %s / %s', (expected, a, b) => {
      expect(level('family', { family: a, given: ['Ann'] }, { family: b, given: ['Ann'] })).toBe(expected);
    });

    it('a family name part among the other record’s middle names agrees by token (Harpreet Kaur Sandhu)', () => {
      const a = { family: 'Sandhu', given: ['Harpreet', 'Kaur'] };
      const b = { family: 'Kaur', given: ['Harpreet'] };
      expect(level('family', a, b)).toBe('token');
    });

    it('given and family swapped between records: transposed, and the given name is not counted again', () => {
      const a = { family: 'Chen', given: ['Wei'] };
      const b = { family: 'Wei', given: ['Chen'] };
      expect(level('family', a, b)).toBe('transposed');
      expect(level('given', a, b)).toBe('transposed');
      expect(
        level('family', { family: 'Okonkwo', given: ['Chidi'] }, { family: 'Chidi', given: ['Okonkwo'] }),
      ).toBe('transposed');
      expect(
        level('family', { family: 'Khan', given: ['Imran'] }, { family: 'Imraan', given: ['Khan'] }),
      ).toBe('transposed');
    });

    it('absent when either record has none', () => {
      expect(compareFamily(aRecord({ family: 'Patel' }), aRecord({ given: ['Priya'] }))).toBe(FAMILY.absent);
    });
  });

  describe('given name', () => {
    it.each<[string, string[], string[]]>([
      ['exact', ['Priya'], ['PRIYA']],
      ['exact', ['Xiao', 'Ming'], ['Xiaoming']],
      ['exact', ['Mohammed', 'Ali'], ['Mohammed']],
      ['nickname', ['Robert'], ['Bob']],
      ['nickname', ['Bill'], ['William']],
      ['nickname', ['Peggy'], ['Margaret']],
      ['nickname', ['Bob'], ['Rob']],
      ['nickname', ['Kasia'], ['Katarzyna']],
      ['nickname', ['Seun'], ['Oluwaseun']],
      ['nickname', ['Sam'], ['Samuel']],
      ['phonetic', ['Muhammad'], ['Mohammed']],
      ['phonetic', ['Stephen'], ['Stefan']],
      ['token', ['Mohammed', 'Abdul'], ['Abdul']],
      ['jw-0.94', ['Agnieszka'], ['Agnieska']],
      ['jw-0.88', ['Oluwadamilare'], ['Oluwadamilola']],
      ['initial', ['J'], ['Jaswinder']],
      ['different', ['Adaeze'], ['Ngozi']],
    ])('%s: %j / %j', (expected, a, b) => {
      expect(level('given', { family: 'Test', given: a }, { family: 'Test', given: b })).toBe(expected);
    });

    it('absent when either record has none', () => {
      expect(compareGiven(aRecord({ given: ['Amara'] }), aRecord({}), FAMILY.exact)).toBe(GIVEN.absent);
    });
  });

  describe('phonetic key', () => {
    it('does not collapse short names: common Chinese and other short names keep distinct keys', () => {
      const names = [
        'li',
        'lee',
        'liu',
        'lu',
        'zhao',
        'zhou',
        'zhu',
        'xu',
        'xue',
        'wu',
        'ho',
        'hu',
        'he',
        'yu',
        'yi',
      ];
      const keys = names.map(matchingPhoneticKey);
      expect(new Set(keys).size).toBe(names.length);
    });

    it('still gives sound-alike names one key', () => {
      expect(matchingPhoneticKey('jon')).toBe(matchingPhoneticKey('john'));
      expect(matchingPhoneticKey('smith')).toBe(matchingPhoneticKey('smyth'));
      expect(matchingPhoneticKey('chaudhry')).toBe(matchingPhoneticKey('chaudry'));
    });

    it('short Chinese family names that differ are different, not phonetic or Jaro–Winkler agreements', () => {
      for (const [a, b] of [
        ['Zhou', 'Zhu'],
        ['Li', 'Liu'],
        ['Li', 'Lu'],
        ['Zhao', 'Zhou'],
        ['Wu', 'Xu'],
      ])
        expect(level('family', { family: a, given: ['Ming'] }, { family: b, given: ['Ming'] })).toBe(
          'different',
        );
    });
  });

  describe('birth date', () => {
    it.each<[string, string, string]>([
      ['exact', '1970-09-11', '1970-09-11'],
      ['day-month-swap', '1970-09-11', '1970-11-09'],
      ['january-first', '1948-01-01', '1948-06-23'],
      ['one-digit', '1970-09-11', '1970-09-17'],
      ['one-digit', '1970-09-11', '1907-09-11'],
      ['one-digit', '1985-03-12', '1985-03-21'],
      ['different', '1970-09-11', '1971-10-11'],
      ['different', '1948-01-01', '1949-06-23'],
    ])('%s: %s / %s', (expected, a, b) => {
      expect(level('birthDate', { birthDate: a }, { birthDate: b })).toBe(expected);
      expect(level('birthDate', { birthDate: b }, { birthDate: a })).toBe(expected);
    });

    it('absent when either record has none', () => {
      expect(compareBirthDate(aRecord({ birthDate: '2001-02-03' }), aRecord({}))).toBe(BIRTH_DATE.absent);
    });
  });

  describe('postcode', () => {
    it.each<[string, string | undefined, string | undefined]>([
      ['full', 'LS1 4AP', 'ls14ap'],
      ['district', 'LS1 4AP', 'LS1 3EX'],
      ['area', 'LS1 4AP', 'LS6 2AB'],
      ['different', 'LS1 4AP', 'BD7 1DP'],
      ['district', 'LS1', 'LS1 3EX'],
      ['absent', 'LS1 4AP', undefined],
      ['absent', 'ZZ99 3VZ', 'ZZ99 3VZ'],
    ])('%s: %s / %s', (expected, a, b) => {
      expect(level('postcode', { postcode: a }, { postcode: b })).toBe(expected);
    });

    it('absent when either record has none', () => {
      expect(comparePostcode(aRecord({}), aRecord({ postcode: 'HX1 1AA' }))).toBe(POSTCODE.absent);
    });
  });

  describe('sex', () => {
    it('equal, different, unknown', () => {
      expect(compareSex(aRecord({ gender: 'female' }), aRecord({ gender: 'female' }))).toBe(SEX.equal);
      expect(compareSex(aRecord({ gender: 'female' }), aRecord({ gender: 'male' }))).toBe(SEX.different);
      expect(compareSex(aRecord({ gender: 'female' }), aRecord({ gender: 'unknown' }))).toBe(SEX.unknown);
      expect(compareSex(aRecord({}), aRecord({ gender: 'male' }))).toBe(SEX.unknown);
    });
  });
});
