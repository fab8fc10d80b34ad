import { sourceScopedId } from '../ingestion/source-scoped-id';
import { adt, INPUT, mapFailure, mapOk, only, segment } from './testing/hl7v2-test-messages';

const other = (pid3: string) => segment('PID', { 1: '2', 3: pid3, 5: 'JONES^SARAH', 8: 'F' });
const pv1 = segment('PV1', { 1: '1', 2: 'O' });

describe('ADT^A24 links and ADT^A37 unlinks two records of one patient', () => {
  it('A24 names both records by the ids their own messages store them under', () => {
    const result = mapOk(adt({ event: 'A24', pid3: 'K111^^^RCB^MR', extra: [other('K222^^^RCB^MR'), pv1] }));
    expect(result.patientLink).toEqual({
      action: 'link',
      patientId: sourceScopedId(INPUT.sourceSystem, 'Patient', 'K111'),
      otherPatientId: sourceScopedId(INPUT.sourceSystem, 'Patient', 'K222'),
    });
    expect(result.patientLink?.otherPatientId).toBe(
      mapOk(adt({ event: 'A28', pid3: 'K222^^^RCB^MR' })).patientId,
    );
    // both are identified only: stored if never seen, never overwriting what the ADT feed keeps
    expect(result.patientIfAbsent).toBe(true);
    expect(
      only(result, 'Patient')
        .map((patient) => patient.id)
        .sort(),
    ).toEqual([result.patientLink!.patientId, result.patientLink!.otherPatientId].sort());
  });

  it('A37 is the same pair, as an unlink', () => {
    const result = mapOk(adt({ event: 'A37', pid3: 'K111^^^RCB^MR', extra: [other('K222^^^RCB^MR'), pv1] }));
    expect(result.patientLink).toMatchObject({ action: 'unlink' });
  });

  it('refuses an A24 without a second patient, or naming the same patient twice', () => {
    expect(mapFailure(adt({ event: 'A24', pid3: 'K111^^^RCB^MR' })).problems[0]).toMatchObject({
      expression: ['PID'],
      diagnostics: expect.stringContaining('second PID'),
    });
    expect(
      mapFailure(adt({ event: 'A37', pid3: 'K111^^^RCB^MR', extra: [other('K111^^^RCB^MR')] })).problems[0]
        .expression,
    ).toEqual(['PID[2]-3']);
  });

  it('still refuses three patients in one message', () => {
    const three = adt({ event: 'A24', extra: [other('K2^^^RCB^MR'), other('K3^^^RCB^MR')] });
    expect(mapFailure(three).problems[0].diagnostics).toMatch(/3 patients/);
  });
});
