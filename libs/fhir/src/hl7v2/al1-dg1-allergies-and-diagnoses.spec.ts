import { sourceScopedId } from '../ingestion/source-scoped-id';
import { adt, INPUT, mapOk, one, only, sample, validationErrors } from './testing/hl7v2-test-messages';

describe('AL1 and DG1 become AllergyIntolerance and Condition', () => {
  it('maps the ITK A01 diagnosis (ICD-10) against the visit', () => {
    const result = mapOk(sample('nhs-itk-adt/ITK_ADT_A01_example.hl7'));
    const condition = one(result, 'Condition');
    expect(condition).toMatchObject({
      code: {
        coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'N39.3', display: 'Stress Incontinence' }],
      },
      subject: { reference: `Patient/${result.patientId}` },
      encounter: { reference: `Encounter/${one(result, 'Encounter').id}` },
      verificationStatus: { coding: [{ code: 'provisional' }] }, // DG1-6 A: admitting diagnosis
    });
  });

  it('maps coded allergies with category, reaction and severity, keyed by patient and allergen', () => {
    const result = mapOk(
      adt({
        event: 'A08',
        extra: ['AL1|1|DA|294505008^Amoxicillin allergy^SCT|SV|Anaphylaxis|20200101', 'AL1|2|FA|^Peanuts'],
      }),
    );
    const [amoxicillin, peanuts] = only(result, 'AllergyIntolerance');
    expect(amoxicillin).toMatchObject({
      id: sourceScopedId(
        INPUT.sourceSystem,
        'AllergyIntolerance',
        'K123456|http://snomed.info/sct|294505008',
      ),
      category: ['medication'],
      code: { coding: [{ system: 'http://snomed.info/sct', code: '294505008' }] },
      reaction: [{ manifestation: [{ text: 'Anaphylaxis' }], severity: 'severe' }],
      recordedDate: '2020-01-01',
    });
    expect(peanuts).toMatchObject({ category: ['food'], code: { text: 'Peanuts' } });
    expect(validationErrors(result.resources)).toEqual([]);
  });

  it('updates rather than duplicates the diagnoses and allergies a feed repeats', () => {
    const extra = [
      'AL1|1|DA|294505008^Amoxicillin allergy^SCT',
      'DG1|1||J03.0^Streptococcal tonsillitis^I10||20240330|F',
    ];
    const first = mapOk(adt({ event: 'A01', extra }));
    const again = mapOk(adt({ event: 'A08', controlId: 'MSG-3', extra }));
    expect(only(again, 'Condition').map((condition) => condition.id)).toEqual(
      only(first, 'Condition').map((condition) => condition.id),
    );
    expect(one(again, 'AllergyIntolerance').id).toBe(one(first, 'AllergyIntolerance').id);
    expect(one(again, 'Condition').verificationStatus?.coding?.[0].code).toBe('confirmed');
  });
});
