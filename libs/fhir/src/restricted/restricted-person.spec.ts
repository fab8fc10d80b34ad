import type { Patient, RelatedPerson } from 'fhir/r4';
import {
  BIRTH_PLACE_EXTENSION,
  CONFIDENTIALITY_SYSTEM,
  isRestrictedRecord,
  redactLocating,
  REDACTED_TAG,
  usesLocatingParameter,
} from './restricted-person';

const restrictedFlag = (code: string) => ({ security: [{ system: CONFIDENTIALITY_SYSTEM, code }] });

const patient: Patient = {
  resourceType: 'Patient',
  id: 'p1',
  meta: { source: 'RXX:PDS', ...restrictedFlag('R') },
  text: {
    status: 'generated',
    div: '<div xmlns="http://www.w3.org/1999/xhtml">1 Hidden Lane, LS1 4AP</div>',
  },
  extension: [
    { url: BIRTH_PLACE_EXTENSION, valueAddress: { city: 'Leeds' } },
    { url: 'https://example.org/ethnicity', valueString: 'kept' },
  ],
  identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }],
  name: [{ family: 'Smith', given: ['Jane'] }],
  birthDate: '1980-02-29',
  gender: 'female',
  address: [{ line: ['1 Hidden Lane'], postalCode: 'LS1 4AP' }],
  telecom: [{ system: 'phone', value: '0113 000 0000' }],
  contact: [{ name: { family: 'Smith' }, address: { postalCode: 'LS1 4AP' } }],
  generalPractitioner: [{ reference: 'Organization/Y12345' }],
  managingOrganization: { reference: 'Organization/RXX' },
};

describe('restricted (S-flag) people', () => {
  it.each(['R', 'V'])('takes confidentiality %s as the restricted flag', (code) => {
    expect(isRestrictedRecord({ meta: restrictedFlag(code) })).toBe(true);
  });

  it('does not take normal confidentiality, another system or no meta as restricted', () => {
    expect(isRestrictedRecord({ meta: restrictedFlag('N') })).toBe(false);
    expect(isRestrictedRecord({ meta: { security: [{ system: 'https://other', code: 'R' }] } })).toBe(false);
    expect(isRestrictedRecord({})).toBe(false);
    expect(isRestrictedRecord(null)).toBe(false);
  });

  it('removes address, telecom, contacts, GP, narrative and birthplace from a Patient and tags it REDACTED', () => {
    const redacted = redactLocating(patient);
    expect(redacted).not.toHaveProperty('address');
    expect(redacted).not.toHaveProperty('telecom');
    expect(redacted).not.toHaveProperty('contact');
    expect(redacted).not.toHaveProperty('generalPractitioner');
    expect(redacted).not.toHaveProperty('text');
    expect(redacted.extension).toEqual([{ url: 'https://example.org/ethnicity', valueString: 'kept' }]);
    expect(redacted).toMatchObject({
      id: 'p1',
      name: patient.name,
      birthDate: '1980-02-29',
      identifier: patient.identifier,
      managingOrganization: patient.managingOrganization,
      meta: { source: 'RXX:PDS', security: patient.meta!.security },
    });
    expect(redacted.meta!.tag).toEqual([REDACTED_TAG]);
    expect(patient.address).toHaveLength(1); // the input is left alone
  });

  it('removes a RelatedPerson’s address and telecom but keeps who they are', () => {
    const relative: RelatedPerson = {
      resourceType: 'RelatedPerson',
      id: 'r1',
      patient: { reference: 'Patient/p1' },
      name: [{ family: 'Smith' }],
      address: [{ postalCode: 'LS1 4AP' }],
      telecom: [{ system: 'email', value: 'x@example.org' }],
    };
    const redacted = redactLocating(relative);
    expect(redacted).toEqual({
      resourceType: 'RelatedPerson',
      id: 'r1',
      patient: { reference: 'Patient/p1' },
      name: [{ family: 'Smith' }],
      meta: { tag: [REDACTED_TAG] },
    });
  });

  it('tags once however often it runs, and leaves types without locating details untouched', () => {
    const twice = redactLocating(redactLocating(patient));
    expect(twice.meta!.tag).toEqual([REDACTED_TAG]);
    const observation = { resourceType: 'Observation', id: 'o1', status: 'final', code: {} } as const;
    expect(redactLocating(observation)).toBe(observation);
    const bare: Patient = { resourceType: 'Patient', id: 'p2', name: [{ family: 'Bare' }] };
    expect(redactLocating(bare)).toBe(bare);
  });

  it('knows searches by address, postcode, GP or telecom, directly, chained or through _has', () => {
    const param = (code: string) => ({ kind: 'param' as const, code, type: 'string' as const, values: [] });
    expect(usesLocatingParameter([param('family'), param('address-postalcode')])).toBe(true);
    expect(usesLocatingParameter([param('address:contains')])).toBe(true);
    expect(usesLocatingParameter([param('general-practitioner:identifier')])).toBe(true);
    expect(usesLocatingParameter([param('phone')])).toBe(true);
    expect(
      usesLocatingParameter([
        { kind: 'chain', code: 'subject', targetTypes: ['Patient'], filter: param('email') },
      ]),
    ).toBe(true);
    expect(
      usesLocatingParameter([
        { kind: 'chain', code: 'general-practitioner', targetTypes: ['Organization'], filter: param('name') },
      ]),
    ).toBe(true);
    expect(usesLocatingParameter([param('family'), param('birthdate')])).toBe(false);
  });
});
