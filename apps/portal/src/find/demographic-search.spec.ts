import { demographicFormOf, demographicQuery } from './demographic-search';

describe('find by name, date of birth and postcode: the form', () => {
  const today = new Date('2026-12-06T12:00:00Z');
  const form = (change: Record<string, string> = {}) =>
    demographicFormOf({
      family: 'Smith',
      given: 'Ada',
      'dob-day': '7',
      'dob-month': '3',
      'dob-year': '1948',
      postcode: 'ls1 4ap',
      ...change,
    });

  it('builds the PDQm query: names, the birth date, the postcode normalised', () => {
    expect(demographicQuery(form(), today)).toEqual({
      query: { family: 'Smith', given: 'Ada', birthDate: '1948-03-07', postcode: 'LS14AP', count: 10 },
    });
    expect(demographicQuery(form({ given: '', postcode: '' }), today).query).toEqual({
      family: 'Smith',
      birthDate: '1948-03-07',
      count: 10,
    });
  });

  it.each([
    [{ family: '  ' }, 'family', 'Enter the family name'],
    [{ 'dob-day': '31', 'dob-month': '2' }, 'dob-day', 'Enter a real date of birth, for example 7 3 1948'],
    [{ 'dob-year': '48' }, 'dob-day', 'Enter a real date of birth, for example 7 3 1948'],
    [{ 'dob-year': '2027' }, 'dob-day', 'The date of birth must be in the past'],
    [{ postcode: 'not a postcode' }, 'postcode', 'Enter a real postcode, for example LS1 4AP'],
  ])('%p is refused on %s', (change, field, message) => {
    expect(demographicQuery(form(change), today).problems).toEqual([{ field, message }]);
  });
});
