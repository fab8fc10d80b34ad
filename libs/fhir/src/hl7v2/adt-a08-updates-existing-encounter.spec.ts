import type { Encounter } from 'fhir/r4';
import { sourceScopedId } from '../ingestion/source-scoped-id';
import { adt, INPUT, mapOk, one, only, segment, validationErrors } from './testing/hl7v2-test-messages';

const VISIT = {
  1: '1',
  2: 'I',
  7: 'C1234567^Grey^Meredith^^^Dr^^^GMC',
  19: 'V0001^^^VISITID',
  44: '202403301015',
};

describe('ADT messages about one visit update one Encounter', () => {
  it('gives A01 and a later A08 for the same visit number the same Patient and Encounter ids', () => {
    const admit = mapOk(adt({ event: 'A01' }));
    const update = mapOk(
      adt({
        event: 'A08',
        controlId: 'MSG-2',
        pv1: segment('PV1', { ...VISIT, 3: 'RCB^WARD9^BAY3^RCB55' }),
      }),
    );
    expect(one(update, 'Encounter').id).toBe(one(admit, 'Encounter').id);
    expect(update.patientId).toBe(admit.patientId);
    expect(one(update, 'Encounter').location?.[0].location.display).toBe('RCB WARD9 BAY3');
  });

  it('keys the Encounter by source system and visit number, and the Patient by the local record number', () => {
    const result = mapOk(adt({ event: 'A01' }));
    expect(one(result, 'Encounter').id).toBe(sourceScopedId(INPUT.sourceSystem, 'Encounter', 'V0001'));
    expect(result.patientId).toBe(sourceScopedId(INPUT.sourceSystem, 'Patient', 'K123456'));
  });

  it('keys the Patient by the NHS number when the source sends no local id', () => {
    const result = mapOk(adt({ event: 'A01', pid3: '9434765919^^^NHS^NH' }));
    expect(result.patientId).toBe(sourceScopedId(INPUT.sourceSystem, 'Patient', '9434765919'));
  });

  it('maps the same message twice to identical resources (a replay updates, never duplicates)', () => {
    expect(mapOk(adt({ event: 'A01' })).resources).toEqual(mapOk(adt({ event: 'A01' })).resources);
  });

  it('falls back to patient and admit time when there is no visit number', () => {
    const pv1 = segment('PV1', { 1: '1', 2: 'O', 3: 'CLINIC1^^^RCB55', 44: '202404011000' });
    const first = mapOk(adt({ event: 'A04', pv1 }));
    const again = mapOk(adt({ event: 'A08', controlId: 'MSG-9', pv1 }));
    expect(one(again, 'Encounter').id).toBe(one(first, 'Encounter').id);
    expect(one(first, 'Encounter').id).toBe(
      sourceScopedId(INPUT.sourceSystem, 'Encounter', 'K123456|202404011000'),
    );
    expect(one(first, 'Encounter').class.code).toBe('AMB');
  });

  it('records a transfer (A02) at the new location, the prior one completed', () => {
    const result = mapOk(
      adt({
        event: 'A02',
        pv1: segment('PV1', { ...VISIT, 3: 'RCB^WARD9^BAY3^RCB55', 6: 'RCB^WARD7^BAY1^RCB55' }),
      }),
    );
    const encounter = one(result, 'Encounter');
    expect(encounter.status).toBe('in-progress');
    expect(encounter.location?.map((location) => [location.location.display, location.status])).toEqual([
      ['RCB WARD9 BAY3', 'active'],
      ['RCB WARD7 BAY1', 'completed'],
    ]);
    expect(only(result, 'Location')).toHaveLength(2);
    expect(validationErrors(result.resources)).toEqual([]);
  });

  it('maps class, period, location, service provider and attending practitioner', () => {
    const result = mapOk(adt({ event: 'A01' }));
    const encounter: Encounter = one(result, 'Encounter');
    expect(encounter).toMatchObject({
      status: 'in-progress',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      period: { start: '2024-03-30T10:15:00+00:00' },
      subject: { reference: `Patient/${result.patientId}` },
    });
    const provider = one(result, 'Organization');
    expect(provider.identifier).toEqual([
      { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RCB' },
    ]);
    expect(encounter.serviceProvider?.reference).toBe(`Organization/${provider.id}`);
    const attending = encounter.participant?.find(
      (participant) => participant.type?.[0].coding?.[0].code === 'ATND',
    );
    expect(attending?.individual?.reference).toBe(`Practitioner/${one(result, 'Practitioner').id}`);
    expect(validationErrors(result.resources)).toEqual([]);
  });
});
