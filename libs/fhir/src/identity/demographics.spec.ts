import { readFileSync } from 'node:fs';
import type { Patient } from 'fhir/r4';
import { fixturePath } from '@continuum/testing/test-fixtures';
import { demographicsOf, isReissued } from './demographics';
import { aPatient, NHS_NUMBERS } from './testing/patients';

const ukCoreExample = (file: string) =>
  JSON.parse(readFileSync(fixturePath('ukcore-examples', file), 'utf8')) as Patient;

describe('demographicsOf', () => {
  it('reads the UK Core example patient: verified NHS number, folded names, postcode parts, sex', () => {
    expect(demographicsOf(ukCoreExample('UKCore-Patient-RichardSmith-Example.json'))).toEqual({
      id: 'UKCore-Patient-RichardSmith-Example',
      nhsNumber: '9912003888',
      nhsNumberStatus: 'verified',
      supersededNhsNumbers: [],
      family: ['smith'],
      given: ['richard'],
      birthDate: '1970-09-11',
      postcode: 'LS177DF',
      postcodeDistrict: 'LS17',
      postcodeArea: 'LS',
      sex: 'male',
    });
  });

  it('derives district and area from a postcode however it is typed', () => {
    const demographics = demographicsOf(aPatient({ postcode: 'ls1 4ap' }));
    expect(demographics).toMatchObject({ postcode: 'LS14AP', postcodeDistrict: 'LS1', postcodeArea: 'LS' });
    expect(demographicsOf(aPatient({ postcode: 'EC1A 1BB' }))).toMatchObject({
      postcodeDistrict: 'EC1A',
      postcodeArea: 'EC',
    });
    expect(demographicsOf(aPatient({ postcode: 'BD7' }))).toMatchObject({
      postcodeDistrict: 'BD7',
      postcodeArea: 'BD',
    });
    expect(demographicsOf(aPatient({ postcode: 'BD7' })).postcode).toBeUndefined();
  });

  it('treats the NHS pseudo-postcodes (no fixed abode, overseas) and unusable text as no postcode', () => {
    expect(demographicsOf(aPatient({ postcode: 'ZZ99 3VZ' })).postcodeArea).toBeUndefined();
    expect(demographicsOf(aPatient({ postcode: 'not known' })).postcodeArea).toBeUndefined();
  });

  it('grades the NHS number: verified (status 01), present (other status or none), absent (none or invalid)', () => {
    expect(demographicsOf(aPatient({ nhs: NHS_NUMBERS[0] })).nhsNumberStatus).toBe('verified');
    expect(demographicsOf(aPatient({ nhs: NHS_NUMBERS[0], nhsStatus: '02' })).nhsNumberStatus).toBe(
      'present',
    );
    expect(demographicsOf(aPatient({ nhs: NHS_NUMBERS[0], nhsStatus: null })).nhsNumberStatus).toBe(
      'present',
    );
    expect(demographicsOf(aPatient({})).nhsNumberStatus).toBe('absent');
    const invalid = demographicsOf(aPatient({ nhs: '9991000004' }));
    expect(invalid).toMatchObject({ nhsNumberStatus: 'absent' });
    expect(invalid.nhsNumber).toBeUndefined();
  });

  it('reads a number marked old, or with an ended period, as superseded: the record is re-issued', () => {
    const withOld = demographicsOf(aPatient({ nhs: NHS_NUMBERS[1], oldNhs: [NHS_NUMBERS[2]] }));
    expect(withOld).toMatchObject({ nhsNumber: NHS_NUMBERS[1], supersededNhsNumbers: [NHS_NUMBERS[2]] });
    expect(isReissued(withOld)).toBe(true);

    const ended = aPatient({ nhs: NHS_NUMBERS[1] });
    ended.identifier?.push({
      system: 'https://fhir.nhs.uk/Id/nhs-number',
      value: NHS_NUMBERS[3],
      period: { end: '2019-03-01' },
    });
    expect(demographicsOf(ended).supersededNhsNumbers).toEqual([NHS_NUMBERS[3]]);
    expect(isReissued(demographicsOf(aPatient({ nhs: NHS_NUMBERS[1] })))).toBe(false);
  });

  it('keeps only the old number when a record has no current one', () => {
    const demographics = demographicsOf(aPatient({ oldNhs: [NHS_NUMBERS[2]] }));
    expect(demographics).toMatchObject({ nhsNumberStatus: 'absent', supersededNhsNumbers: [NHS_NUMBERS[2]] });
  });

  it('folds accents, apostrophes and hyphens into name tokens of every origin', () => {
    expect(demographicsOf(aPatient({ family: "O'Brien", given: ['Zoë'] }))).toMatchObject({
      family: ['obrien'],
      given: ['zoe'],
    });
    expect(demographicsOf(aPatient({ family: 'Smith-Jones', given: ['Łukasz'] }))).toMatchObject({
      family: ['smith', 'jones'],
      given: ['lukasz'],
    });
    expect(demographicsOf(aPatient({ family: 'Sandhu', given: ['Harpreet', 'Kaur'] })).given).toEqual([
      'harpreet',
      'kaur',
    ]);
    expect(demographicsOf(aPatient({ family: 'Nguyễn', given: ['Thị Minh'] }))).toMatchObject({
      family: ['nguyen'],
      given: ['thi', 'minh'],
    });
  });

  it('prefers the official name to a maiden or old one, and reads a text-only name', () => {
    const patient: Patient = {
      resourceType: 'Patient',
      name: [
        { use: 'maiden', family: 'Okafor', given: ['Adaeze'] },
        { use: 'official', family: 'Mensah', given: ['Adaeze'] },
      ],
    };
    expect(demographicsOf(patient).family).toEqual(['mensah']);
    expect(
      demographicsOf({ resourceType: 'Patient', name: [{ text: 'KOWALSKI, Piotr Jan' }] }),
    ).toMatchObject({
      family: ['kowalski'],
      given: ['piotr', 'jan'],
    });
    expect(demographicsOf({ resourceType: 'Patient', name: [{ text: 'Grace Mensah' }] })).toMatchObject({
      family: ['mensah'],
      given: ['grace'],
    });
  });

  it('turns a partial birth date into the 1 January placeholder and leaves unknown gender out', () => {
    expect(demographicsOf(aPatient({ birthDate: '1948' })).birthDate).toBe('1948-01-01');
    expect(demographicsOf(aPatient({ birthDate: '1948-06' })).birthDate).toBe('1948-01-01');
    expect(demographicsOf(aPatient({ gender: 'unknown' })).sex).toBeUndefined();
    expect(demographicsOf(aPatient({ gender: 'other' })).sex).toBe('other');
  });
});
