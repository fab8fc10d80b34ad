import { isPdqmSearch, parsePdqmQuery, PDQM_MAX_COUNT } from './pdqm-query';

describe('PDQm queries (Patient?_query=pdqm)', () => {
  it('is chosen by the R4 named query only, never for a plain Patient search', () => {
    expect(
      isPdqmSearch('Patient', [
        ['family', 'Smith'],
        ['_query', 'pdqm'],
      ]),
    ).toBe(true);
    expect(isPdqmSearch('Patient', [['family', 'Smith']])).toBe(false);
    expect(isPdqmSearch('Observation', [['_query', 'pdqm']])).toBe(false);
  });

  it('reads the demographic parameters and caps the count of persons', () => {
    expect(
      parsePdqmQuery([
        ['_query', 'pdqm'],
        ['family', ' Smyth '],
        ['given', 'Jon'],
        ['birthdate', '1980-02-29'],
        ['address-postalcode', 'LS1 4AP'],
        ['gender', 'female'],
        ['identifier', 'https://fhir.nhs.uk/Id/nhs-number|9434765919'],
        ['_count', '500'],
      ]),
    ).toEqual({
      family: 'Smyth',
      given: 'Jon',
      birthDate: '1980-02-29',
      postcode: 'LS1 4AP',
      gender: 'female',
      nhsNumber: '9434765919',
      count: PDQM_MAX_COUNT,
    });
  });

  it('refuses what it would otherwise have to ignore or guess, naming the parameter', () => {
    expect(() =>
      parsePdqmQuery([
        ['family', 'Smith'],
        ['address-city', 'Leeds'],
      ]),
    ).toThrow(/address-city/);
    expect(() =>
      parsePdqmQuery([
        ['family', 'Smith'],
        ['birthdate', 'ge1980'],
      ]),
    ).toThrow(/birthdate/);
    expect(() =>
      parsePdqmQuery([
        ['family', 'Smith'],
        ['gender', 'f'],
      ]),
    ).toThrow(/gender/);
    expect(() => parsePdqmQuery([['identifier', 'https://other|1']])).toThrow(/NHS number/);
    expect(() =>
      parsePdqmQuery([
        ['family', 'Smith'],
        ['family', 'Jones'],
      ]),
    ).toThrow(/once/);
    expect(() => parsePdqmQuery([['address-postalcode', 'LS1 4AP']])).toThrow(/at least/);
  });
});
