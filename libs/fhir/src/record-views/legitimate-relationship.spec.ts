import type { Encounter, EpisodeOfCare, Patient } from 'fhir/r4';
import { IdentifierSystem } from '../identifier-systems';
import { legitimateRelationship } from './legitimate-relationship';

describe('a legitimate relationship comes from ingested events, within time windows', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  const ods = (value: string) => ({ identifier: { system: IdentifierSystem.odsOrganisationCode, value } });
  const patient: Patient = { resourceType: 'Patient', id: 'p', generalPractitioner: [ods('A81001')] };
  const attendance = (start: string, provider = 'RX1'): Encounter => ({
    resourceType: 'Encounter',
    id: `e-${start}`,
    status: 'finished',
    class: { code: 'EMER' },
    serviceProvider: ods(provider),
    period: { start },
  });
  const episode = (status: EpisodeOfCare['status'], end?: string): EpisodeOfCare => ({
    resourceType: 'EpisodeOfCare',
    id: `ep-${status}`,
    status,
    patient: { reference: 'Patient/p' },
    managingOrganization: ods('LSC01'),
    ...(end ? { period: { end } } : {}),
  });

  it('the GP practice the person is registered with', () => {
    expect(legitimateRelationship('a81001', { patients: [patient] }, now)).toEqual({
      basis: 'registration',
      evidence: 'Patient/p',
    });
  });

  it('an organisation whose own system sent a record of the person (a registration there)', () => {
    const held: Patient = { resourceType: 'Patient', id: 'q', meta: { source: 'RX1:Hospital-PAS' } };
    expect(legitimateRelationship('RX1', { patients: [patient, held] }, now)).toEqual({
      basis: 'registration',
      evidence: 'Patient/q',
    });
  });

  it('a hospital the person attended in the last 12 months, not one attended earlier', () => {
    expect(
      legitimateRelationship('RX1', { patients: [patient], encounters: [attendance('2026-03-01')] }, now)
        ?.basis,
    ).toBe('attendance');
    expect(
      legitimateRelationship('RX1', { patients: [patient], encounters: [attendance('2025-06-01')] }, now),
    ).toBeUndefined();
  });

  it('an encounter recorded by the organisation’s own system counts as its own', () => {
    const own: Encounter = { ...attendance('2026-11-01', 'ZZZ'), meta: { source: 'NWAS:Ambulance-ePR' } };
    expect(legitimateRelationship('NWAS', { patients: [patient], encounters: [own] }, now)?.basis).toBe(
      'attendance',
    );
  });

  it('a caseload or social-care involvement: active, or ended within 90 days', () => {
    expect(
      legitimateRelationship('LSC01', { patients: [patient], episodes: [episode('active')] }, now)?.basis,
    ).toBe('caseload');
    expect(
      legitimateRelationship(
        'LSC01',
        { patients: [patient], episodes: [episode('finished', '2026-10-01')] },
        now,
      )?.basis,
    ).toBe('caseload');
    expect(
      legitimateRelationship(
        'LSC01',
        { patients: [patient], episodes: [episode('finished', '2026-05-01')] },
        now,
      ),
    ).toBeUndefined();
  });

  it('no relationship for an organisation with no event about the person', () => {
    expect(
      legitimateRelationship('RGD', { patients: [patient], encounters: [attendance('2026-11-01')] }, now),
    ).toBeUndefined();
  });
});
