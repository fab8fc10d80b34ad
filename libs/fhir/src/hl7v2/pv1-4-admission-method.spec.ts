import type { Encounter } from 'fhir/r4';
import { ADMISSION_METHOD_EXTENSION, ADMISSION_METHOD_SYSTEM } from './hl7-code-tables';
import { adt, mapOk, one, sample, segment } from './testing/hl7v2-test-messages';

const methodOf = (encounter: Encounter) =>
  encounter.extension?.find((extension) => extension.url === ADMISSION_METHOD_EXTENSION)?.valueCodeableConcept
    ?.coding?.[0];
const pv1With = (admissionType: string) =>
  segment('PV1', { 1: '1', 2: 'I', 4: admissionType, 19: 'V0004^^^VISITID', 44: '202403301015' });

/**
 * PV1-4: NHS feeds send the NHS Data Dictionary admission method, which the admitted patient care pack reads from
 * the UK Core AdmissionMethod extension (docs/commissioning.md); anything else stays the sender's own code.
 */
describe('PV1-4 gives the Encounter its NHS admission method', () => {
  it('maps the ITK A01 sample’s 13 to Elective Admission: Planned in UK Core’s England code system', () => {
    const encounter = one(mapOk(sample('nhs-itk-adt/ITK_ADT_A01_example.hl7')), 'Encounter');
    expect(methodOf(encounter)).toEqual({
      system: ADMISSION_METHOD_SYSTEM,
      code: '13',
      display: 'Elective Admission: Planned',
    });
  });

  it.each([
    ['21', 'Emergency Admission: Emergency Care Department or dental casualty department of the Health Care Provider'],
    ['2a', 'Emergency Admission: Emergency Care Department of another provider where the Patient had not been admitted'],
    ['82', 'Other Admission: The birth of a baby in this Health Care Provider'],
  ])('maps %s', (code, display) => {
    const encounter = one(mapOk(adt({ event: 'A01', pv1: pv1With(code) })), 'Encounter');
    expect(methodOf(encounter)).toEqual({ system: ADMISSION_METHOD_SYSTEM, code: code.toUpperCase(), display });
  });

  it('keeps a code outside the table as the sender’s, with a warning naming PV1-4', () => {
    const result = mapOk(adt({ event: 'A01', pv1: pv1With('E') }));
    const method = methodOf(one(result, 'Encounter'));
    expect(method?.code).toBe('E');
    expect(method?.system).not.toBe(ADMISSION_METHOD_SYSTEM);
    expect(method?.system).toContain('hl7v2-0007');
    expect(result.warnings.map((warning) => warning.expression)).toContainEqual(['PV1-4']);
  });

  it('adds nothing when PV1-4 is empty', () => {
    const encounter = one(mapOk(adt({ event: 'A01', pv1: pv1With('') })), 'Encounter');
    expect(encounter.extension).toBeUndefined();
  });
});
