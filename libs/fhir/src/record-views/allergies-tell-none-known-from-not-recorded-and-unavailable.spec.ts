import type { AllergyIntolerance } from 'fhir/r4';
import { buildSection } from './record-sections';
import { FIXTURE_NOW, fixturePerson } from './testing/fixture-person';
import type { PersonRecord } from './person-record';

describe('the allergies section tells "no known allergies", "not recorded" and "unavailable" apart', () => {
  const { patients } = fixturePerson({ prefix: 'nka', nhsNumber: '9434765919' });
  const noKnownAllergy: AllergyIntolerance = {
    resourceType: 'AllergyIntolerance',
    id: 'nka-1',
    meta: { source: 'A81001:GP-System' },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '716186003', display: 'No known allergy' }] },
    patient: { reference: 'Patient/nka-gp' },
    recordedDate: '2025-05-05',
  };
  const section = (resources: PersonRecord['resources']) =>
    buildSection('allergies-and-adverse-reactions', { patients, resources }, { now: FIXTURE_NOW });

  it('a coded "no known allergy" record: none known, with its provenance', () => {
    const built = section({ AllergyIntolerance: [noKnownAllergy] });
    expect(built).toMatchObject({ status: 'none-known', statusText: 'No known allergies' });
    expect(built.items).toMatchObject([
      { text: 'No known allergy', recorded: '05-May-2025', source: 'A81001:GP-System' },
    ]);
  });

  it('nothing recorded by any source: not recorded', () => {
    expect(section({ AllergyIntolerance: [] })).toMatchObject({
      status: 'not-recorded',
      statusText: 'Allergies not recorded',
      items: [],
    });
  });

  it('a source that could not be read: unavailable, never "none"', () => {
    expect(section({ AllergyIntolerance: 'unavailable' })).toMatchObject({ status: 'unavailable' });
  });
});
