import { accessContextFrom } from '../access/access-context';
import { auditedPatients, buildAuditEvent } from './audit-event.builder';

describe('AuditEvent builder (BALP shape)', () => {
  const access = accessContextFrom(
    { sub: 'dr-1', client_id: 'ehr-app', scope: 'user/*.rs', role: 'clinician', org: 'RX1' },
    { breakGlassReason: 'Unconscious in ED' },
  );

  it('records who, what, when, outcome and purpose of a search', () => {
    const event = buildAuditEvent({
      interaction: 'search-type',
      outcome: 'success',
      access,
      patientIds: ['p1'],
      resources: ['Observation/o1/_history/2'],
      query: 'GET /fhir/Observation?patient=p1',
      correlationId: 'corr-1',
      observer: 'continuum-api',
      now: new Date('2026-01-02T03:04:05Z'),
    });
    expect(event.type.code).toBe('rest');
    expect(event.subtype?.[0].code).toBe('search-type');
    expect(event.action).toBe('E');
    expect(event.outcome).toBe('0');
    expect(event.recorded).toBe('2026-01-02T03:04:05.000Z');
    expect(event.agent[0].who?.identifier?.value).toBe('dr-1');
    expect(event.agent[0].altId).toBe('RX1');
    expect(event.agent[1].who?.identifier?.value).toBe('ehr-app');
    expect(event.purposeOfEvent?.map((p) => p.coding?.[0].code)).toEqual(['ETREAT', 'BTG']);
    expect(event.agent[0].purposeOfUse?.[1].text).toBe('Unconscious in ED');
    const query = event.entity?.find((e) => e.role?.code === '24')?.query ?? '';
    expect(Buffer.from(query, 'base64').toString()).toBe('GET /fhir/Observation?patient=p1');
    expect(auditedPatients(event)).toEqual(['p1']);
  });

  it('records a refused caller without an identity', () => {
    const event = buildAuditEvent({
      interaction: 'operation',
      outcome: 'refused',
      patientIds: [],
      observer: 'api',
    });
    expect(event.outcome).toBe('4');
    expect(event.agent[0].name).toBe('unidentified caller');
  });

  it('keeps control characters and lone surrogates from the caller out of the event (jsonb refuses them)', () => {
    const event = buildAuditEvent({
      interaction: 'read',
      outcome: 'refused',
      outcomeDescription: `400 Unknown resource type 'Pat\u0000ient\ud800'${'x'.repeat(2000)}`,
      access: { subject: 'dr\u0001', clientId: 'app' },
      patientIds: [],
      observer: 'api',
    });
    expect(event.outcomeDesc).toMatch(/^400 Unknown resource type 'Pat\ufffdient\ufffd'x+…$/);
    expect(event.outcomeDesc?.length).toBeLessThanOrEqual(1001);
    expect(event.agent[0].who?.identifier?.value).toBe('dr\ufffd');
    expect(event.purposeOfEvent).toBeUndefined();
  });
});
