import type { Patient } from 'fhir/r4';
import { sourceScopedId } from '../ingestion/source-scoped-id';
import { adt, INPUT, mapFailure, mapOk, only, sample, validationErrors } from './testing/hl7v2-test-messages';

describe('ADT^A40 merges a patient into the surviving one', () => {
  it('returns the merge, with the merged patient id computed from MRG-1 as PID-3 would compute it', () => {
    const result = mapOk(sample('nhs-itk-adt/ITK_ADT_A40_Example.hl7'));
    expect(result.merge).toEqual({
      survivingPatientId: sourceScopedId(INPUT.sourceSystem, 'Patient', '3333333333'),
      mergedPatientId: sourceScopedId(INPUT.sourceSystem, 'Patient', '22789'),
    });
    expect(result.patientId).toBe(result.merge?.survivingPatientId);
    expect(validationErrors(result.resources)).toEqual([]);
  });

  it('links the two: the survivor replaces the merged patient, which is inactive and replaced by it', () => {
    const result = mapOk(sample('nhs-itk-adt/ITK_ADT_A40_Example.hl7'));
    const byId = new Map(only(result, 'Patient').map((patient: Patient) => [patient.id, patient]));
    const survivor = byId.get(result.merge?.survivingPatientId ?? '');
    const merged = byId.get(result.merge?.mergedPatientId ?? '');
    expect(survivor?.link).toEqual([
      { other: { reference: `Patient/${result.merge?.mergedPatientId}` }, type: 'replaces' },
    ]);
    expect(merged).toMatchObject({
      active: false,
      link: [{ other: { reference: `Patient/${result.merge?.survivingPatientId}` }, type: 'replaced-by' }],
    });
  });

  it('finds the merged patient under the id an earlier message stored it under', () => {
    const earlier = mapOk(adt({ event: 'A28', pid3: 'K999^^^RCB^MR' }));
    const merge = mapOk(adt({ event: 'A40', pv1: null, extra: ['MRG|K999^^^RCB^MR'] }));
    expect(merge.merge?.mergedPatientId).toBe(earlier.patientId);
  });

  it('refuses a merge without MRG, or of a patient into itself', () => {
    expect(mapFailure(adt({ event: 'A40', pv1: null })).problems[0].expression).toEqual(['MRG']);
    expect(
      mapFailure(adt({ event: 'A40', pv1: null, extra: ['MRG|K123456^^^RCB^MR'] })).problems[0].expression,
    ).toEqual(['MRG-1']);
  });
});
