import {
  adt,
  mapFailure,
  mapOk,
  one,
  sample,
  segment,
  validationErrors,
} from './testing/hl7v2-test-messages';

const DISCHARGE_PV1 = segment('PV1', {
  1: '1',
  2: 'I',
  3: 'RCB^WARD7^BAY1^RCB55',
  7: 'C1234567^Grey^Meredith^^^Dr^^^GMC',
  19: 'V0001^^^VISITID',
  36: '4',
  37: '19',
  44: '202403301015',
  45: '202404011145',
});

describe('discharge and the other visit events set the Encounter status and period', () => {
  it('A03 finishes the encounter with its end and discharge disposition', () => {
    const encounter = one(mapOk(adt({ event: 'A03', pv1: DISCHARGE_PV1 })), 'Encounter');
    expect(encounter.status).toBe('finished');
    expect(encounter.period).toEqual({
      start: '2024-03-30T10:15:00+00:00',
      end: '2024-04-01T11:45:00+01:00',
    });
    expect(encounter.hospitalization?.dischargeDisposition?.coding?.[0].code).toBe('4');
    expect(encounter.location?.[0].status).toBe('completed');
  });

  it('A03 without a discharge time ends the encounter when the event occurred (EVN-6)', () => {
    const encounter = one(mapOk(adt({ event: 'A03' })), 'Encounter');
    expect(encounter.period?.end).toBe('2024-04-01T11:50:00+01:00');
  });

  it('the ITK A03 sample updates its visit with the discharge time', () => {
    const encounter = one(mapOk(sample('nhs-itk-adt/ITK_ADT_A03_example.hl7')), 'Encounter');
    expect(encounter).toMatchObject({
      status: 'finished',
      period: { start: '2010-10-20T17:16:00+01:00', end: '2010-10-21T17:06:00+01:00' },
    });
  });

  it('refuses a discharge before the admission', () => {
    const pv1 = segment('PV1', {
      1: '1',
      2: 'I',
      19: 'V0001^^^VISITID',
      44: '202403301015',
      45: '202403291015',
    });
    expect(mapFailure(adt({ event: 'A03', pv1 })).problems[0].expression).toEqual(['PV1-45']);
  });

  it('A13 cancels the discharge: in progress again, with no end', () => {
    const discharged = one(mapOk(adt({ event: 'A03', pv1: DISCHARGE_PV1 })), 'Encounter');
    const reopened = one(mapOk(adt({ event: 'A13', pv1: DISCHARGE_PV1 })), 'Encounter');
    expect(reopened.id).toBe(discharged.id);
    expect(reopened.status).toBe('in-progress');
    expect(reopened.period).toEqual({ start: '2024-03-30T10:15:00+00:00' });
  });

  it('A11 cancels the admission: entered in error', () => {
    expect(one(mapOk(adt({ event: 'A11' })), 'Encounter').status).toBe('entered-in-error');
  });

  it('A05 pre-admits: planned, over the expected dates, for the admit reason (PV2)', () => {
    const result = mapOk(sample('nhs-itk-adt/ITK_ADT_A05_Example.hl7'));
    expect(one(result, 'Encounter')).toMatchObject({
      status: 'planned',
      period: { start: '2010-09-30T00:00:00+01:00', end: '2010-10-01T00:00:00+01:00' },
      reasonCode: [{ text: 'Labour' }],
    });
    expect(one(result, 'Encounter').location?.[0].status).toBe('planned');
  });

  it('A08 without an event status derives it from the dates', () => {
    expect(one(mapOk(adt({ event: 'A08', pv1: DISCHARGE_PV1 })), 'Encounter').status).toBe('finished');
    expect(one(mapOk(adt({ event: 'A08' })), 'Encounter').status).toBe('in-progress');
  });

  it('writes every event as valid FHIR', () => {
    for (const event of ['A01', 'A02', 'A03', 'A04', 'A05', 'A08', 'A11', 'A13', 'A28', 'A31']) {
      expect(validationErrors(mapOk(adt({ event, pv1: DISCHARGE_PV1 })).resources)).toEqual([]);
    }
  });

  it('A08 with an empty PV1 (a demographic update) updates the Patient and leaves the visit alone', () => {
    const result = mapOk(adt({ event: 'A08', pv1: 'PV1|1|N' }));
    expect(result.resources.map((resource) => resource.resourceType)).toEqual(['Patient']);
    expect(result.warnings[0].expression).toEqual(['PV1-19']);
  });

  it('A01 with a PV1 that identifies no visit is refused', () => {
    expect(mapFailure(adt({ event: 'A01', pv1: 'PV1|1|I' })).problems[0]).toMatchObject({
      expression: ['PV1-19'],
    });
  });

  it('A28 and A31 are about the person: a Patient, no Encounter', () => {
    const result = mapOk(adt({ event: 'A31' }));
    expect(result.resources.map((resource) => resource.resourceType)).toEqual(['Patient']);
  });
});
