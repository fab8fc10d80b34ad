import { buildPatientBanner, cuiAge, cuiDate, cuiName, cuiNhsNumber } from './patient-banner';
import { FIXTURE_NOW, fixturePerson } from './testing/fixture-person';

describe('patient banner by the NHS common user interface rules', () => {
  it('formats name, birth date with age, gender and NHS number 3 3 4', () => {
    const { patients } = fixturePerson({ prefix: 'b', nhsNumber: '9434765919' });
    expect(buildPatientBanner(patients, FIXTURE_NOW)).toEqual({
      name: 'EXAMPLE, Ada Mary (Mrs)',
      born: '07-Mar-1948',
      age: '78y',
      gender: 'Female',
      nhsNumber: '943 476 5919',
      address: '1 Quay Street, Leeds, LS1 4AP',
      restricted: false,
    });
  });

  it('says "Not known" for each missing value', () => {
    expect(buildPatientBanner([{ resourceType: 'Patient' }], FIXTURE_NOW)).toMatchObject({
      name: 'Not known',
      born: 'Not known',
      age: 'Not known',
      gender: 'Not known',
      nhsNumber: 'Not known',
      address: 'Not known',
    });
  });

  it('withholds the address when any record of the person is restricted', () => {
    const { patients } = fixturePerson({ prefix: 'r', nhsNumber: '9434765919', restricted: true });
    expect(buildPatientBanner([...patients].reverse(), FIXTURE_NOW)).toMatchObject({
      restricted: true,
      address: 'Address withheld (restricted record)',
    });
  });

  it('marks a deceased person with the date of death', () => {
    const { patients } = fixturePerson({ prefix: 'd', nhsNumber: '9434765919', deceased: true });
    expect(buildPatientBanner(patients, FIXTURE_NOW).deceased).toEqual({ date: '20-Nov-2026' });
  });

  it('formats the pieces', () => {
    expect(cuiDate('2001-01-09')).toBe('09-Jan-2001');
    expect(cuiName({ family: 'Smith', given: ['John'] })).toBe('SMITH, John');
    expect(cuiNhsNumber('4857773456')).toBe('485 777 3456');
    expect(cuiNhsNumber('123')).toBe('Not known');
    expect(cuiAge('2026-01-15', FIXTURE_NOW)).toBe('10m');
    expect(cuiAge('2026-11-20', FIXTURE_NOW)).toBe('11d');
  });
});
