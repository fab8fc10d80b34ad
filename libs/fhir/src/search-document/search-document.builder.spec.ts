import type { Observation, Patient } from 'fhir/r4';
import { buildSearchDocument, buildTombstoneDocument, odsCodeOf } from './search-document.builder';
import { narrativeText } from './narrative-text';
import { normalisePostcode, outwardCode } from './postcode';

const facts = (resourceType: string, id: string) => ({
  resourceType,
  id,
  versionId: 3,
  lastUpdated: new Date('2026-11-01T10:00:00Z'),
  sourceSystem: 'Y12345:EMIS-Web',
});

describe('buildSearchDocument', () => {
  it('gives a Patient folded and phonetic name keys, birth date, postcode, NHS number and identifiers', () => {
    const patient: Patient = {
      resourceType: 'Patient',
      id: 'p1',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '943 476 5919' }],
      name: [{ family: 'Smyth-Jones', given: ['Zoë', 'Anne'] }],
      birthDate: '1980-02-29',
      gender: 'female',
      address: [{ postalCode: 'ls1 4ap', city: 'Leeds' }],
      text: {
        status: 'generated',
        div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Zoë &amp; family</p></div>',
      },
    };
    const document = buildSearchDocument(patient, facts('Patient', 'p1'));
    expect(document).toMatchObject({
      resourceType: 'Patient',
      id: 'p1',
      versionId: 3,
      deleted: false,
      sourceOrganisation: 'Y12345',
      family: ['smyth', 'jones'],
      given: ['zoe', 'anne'],
      nameTokens: ['smyth', 'jones', 'zoe', 'anne'],
      name: ['zoe anne smyth-jones'],
      birthDate: '1980-02-29',
      gender: 'female',
      postcode: ['LS14AP'],
      postcodeOutward: ['LS1'],
      nhsNumber: '9434765919',
      compartments: ['p1'],
      identifiers: ['https://fhir.nhs.uk/Id/nhs-number|943 476 5919'],
      narrative: 'zoe & family',
    });
    expect(document.namePhonetic).toContain('SM0');
    expect(document.text).toContain('leeds');
  });

  it('leaves a restricted person’s locating details out of every field and marks the Patient restricted', () => {
    const patient: Patient = {
      resourceType: 'Patient',
      id: 'p1',
      name: [{ family: 'Smith', given: ['Bob'] }],
      birthDate: '1980-02-29',
      address: [{ line: ['1 Hidden Lane'], city: 'Leeds', postalCode: 'LS1 4AP' }],
      telecom: [{ system: 'phone', value: '0113 000 0000' }],
      generalPractitioner: [{ reference: 'Organization/Y12345' }],
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">1 Hidden Lane</div>' },
    };
    const open = buildSearchDocument(patient, facts('Patient', 'p1'));
    expect(open).toMatchObject({ restricted: false, postcode: ['LS14AP'], givenFormal: ['robert'] });
    const restricted = buildSearchDocument(patient, facts('Patient', 'p1'), { restrictedPerson: true });
    expect(restricted).toMatchObject({ restricted: true, family: ['smith'], birthDate: '1980-02-29' });
    for (const field of ['postcode', 'postcodeOutward', 'references', 'organisations', 'narrative'])
      expect(restricted).not.toHaveProperty(field);
    expect(restricted.text ?? '').not.toMatch(/leeds|hidden|0113/);
  });

  it('gives an Observation its code, codes, category, status, date, subject compartment and free text', () => {
    const observation: Observation = {
      resourceType: 'Observation',
      id: 'o1',
      status: 'final',
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' },
          ],
        },
      ],
      code: {
        coding: [{ system: 'http://snomed.info/sct', code: '271649006', display: 'Systolic blood pressure' }],
        text: 'Systolic BP',
      },
      subject: { reference: 'Patient/p1' },
      performer: [{ reference: 'Organization/org1' }],
      effectiveDateTime: '2026-10-01T09:30:00Z',
      note: [{ text: 'Taken after exercise' }],
    };
    const document = buildSearchDocument(observation, facts('Observation', 'o1'));
    expect(document).toMatchObject({
      code: ['http://snomed.info/sct|271649006'],
      category: ['http://terminology.hl7.org/CodeSystem/observation-category|vital-signs'],
      status: ['final'],
      date: '2026-10-01T09:30:00.000Z',
      compartments: ['p1'],
      organisations: ['Organization/org1'],
    });
    expect(document.codes).toContain('http://snomed.info/sct|271649006');
    expect(document.references).toEqual(expect.arrayContaining(['Patient/p1', 'Organization/org1']));
    expect(document.text).toEqual(expect.stringContaining('systolic blood pressure'));
    expect(document.text).toEqual(expect.stringContaining('taken after exercise'));
    expect(document).not.toHaveProperty('nameTokens');
  });

  it('makes a tombstone that carries only the version and identity', () => {
    expect(buildTombstoneDocument(facts('Observation', 'o1'))).toEqual({
      resourceType: 'Observation',
      id: 'o1',
      versionId: 3,
      lastUpdated: '2026-11-01T10:00:00.000Z',
      deleted: true,
      sourceSystem: 'Y12345:EMIS-Web',
      sourceOrganisation: 'Y12345',
    });
  });
});

describe('search keys', () => {
  it('normalises postcodes and finds the outward code only in a full postcode', () => {
    expect(normalisePostcode(' sw1a 1aa ')).toBe('SW1A1AA');
    expect(outwardCode('SW1A 1AA')).toBe('SW1A');
    expect(outwardCode('M1 1AE')).toBe('M1');
    expect(outwardCode('LS1')).toBeUndefined();
  });

  it('reads the ODS code from either source system form', () => {
    expect(odsCodeOf('https://fhir.nhs.uk/Id/ods-organization-code|rr8')).toBe('RR8');
    expect(odsCodeOf('RXX:PAS')).toBe('RXX');
    expect(odsCodeOf('some-system')).toBeUndefined();
  });

  it('strips narrative tags and decodes character references', () => {
    expect(narrativeText('<div><b>Chest</b>pain&#160;since <br/>Monday &lt;3d&gt;</div>')).toBe(
      'Chest pain since Monday <3d>',
    );
  });
});
