import { accessContextFrom } from '../access/access-context';
import { accessEntryOf } from './access-entry';
import { buildAuditEvent } from './audit-event.builder';

describe('accessEntryOf: an AuditEvent read back for "who viewed this record"', () => {
  const clinician = (breakGlassReason?: string) =>
    accessContextFrom(
      { sub: 'dr-a', client_id: 'continuum-portal', scope: 'user/*.rs', role: 'clinician', org: 'RX1' },
      { breakGlassReason },
    );

  it('names the user, role, organisation, purpose, application, action and outcome', () => {
    const event = buildAuditEvent({
      interaction: 'read',
      outcome: 'success',
      access: clinician(),
      patientIds: ['p1'],
      observer: 'test',
      now: new Date('2026-12-06T10:00:00Z'),
    });
    expect(accessEntryOf(event)).toEqual({
      recorded: '2026-12-06T10:00:00.000Z',
      user: 'dr-a',
      role: 'clinician',
      organisation: 'RX1',
      purposes: ['TREAT'],
      application: 'continuum-portal',
      action: 'read',
      outcome: 'success',
    });
  });

  it('marks a break-glass with its reason, and an unidentified refused caller as such', () => {
    const broken = buildAuditEvent({
      interaction: 'search-type',
      outcome: 'success',
      access: clinician('emergency: collapsed'),
      patientIds: ['p1'],
      observer: 'test',
    });
    expect(accessEntryOf(broken)).toMatchObject({ purposes: ['ETREAT'], breakGlass: 'emergency: collapsed' });
    const refused = buildAuditEvent({
      interaction: 'read',
      outcome: 'refused',
      outcomeDescription: '401 no token',
      patientIds: ['p1'],
      observer: 'test',
    });
    expect(accessEntryOf(refused)).toMatchObject({
      user: 'unidentified caller',
      outcome: 'refused',
      description: '401 no token',
      purposes: [],
    });
  });
});
