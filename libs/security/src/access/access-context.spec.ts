import { FhirError } from '@continuum/fhir';
import { accessContextFrom, can, isSecondaryUse, tokenPerson } from './access-context';

const refusal = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return (error as FhirError).status;
  }
  return undefined;
};

describe('access context from token claims', () => {
  it('a patient/ token is confined to its patient and to the types and interactions its scopes name', () => {
    const access = accessContextFrom({
      sub: 'p1',
      scope: 'launch/patient patient/Observation.rs',
      patient: 'pat-1',
    });
    expect(access.patientIds).toEqual(['pat-1']);
    expect(can(access, 'Observation', 's')).toBe(true);
    expect(can(access, 'Observation', 'c')).toBe(false);
    expect(can(access, 'Condition', 'r')).toBe(false);
  });

  it('user/ scopes need a role, and the role caps them', () => {
    expect(refusal(() => accessContextFrom({ sub: 'u', scope: 'user/*.cruds' }))).toBe(403);
    const clinician = accessContextFrom({ sub: 'u', scope: 'user/*.cruds', role: 'clinician', org: 'RR8' });
    expect(can(clinician, 'Observation', 'u')).toBe(true);
    expect(can(clinician, 'AuditEvent', 'r')).toBe(false);
    const analyst = accessContextFrom({ sub: 'a', scope: 'user/*.cruds', role: 'analyst' });
    expect(can(analyst, 'Observation', 's')).toBe(true);
    expect(can(analyst, 'Observation', 'c')).toBe(false);
    expect(isSecondaryUse(analyst)).toBe(true);
  });

  it('AuditEvents need a scope naming them and are never written', () => {
    const system = accessContextFrom({ sub: 'etl', scope: 'system/*.cruds' });
    expect(can(system, 'AuditEvent', 's')).toBe(false);
    const auditor = accessContextFrom({ sub: 'x', scope: 'user/AuditEvent.cruds', role: 'auditor' });
    expect(can(auditor, 'AuditEvent', 's')).toBe(true);
    expect(can(auditor, 'AuditEvent', 'd')).toBe(false);
    expect(can(auditor, 'Patient', 'r')).toBe(false);
  });

  it('refuses tokens without scopes, mixing contexts, without subject, and break-glass by non-clinicians', () => {
    expect(refusal(() => accessContextFrom({ sub: 'x', scope: 'openid' }))).toBe(403);
    expect(
      refusal(() => accessContextFrom({ sub: 'x', scope: 'system/*.rs patient/*.rs', patient: 'p' })),
    ).toBe(403);
    expect(refusal(() => accessContextFrom({ scope: 'system/*.rs' }))).toBe(401);
    expect(
      refusal(() => accessContextFrom({ sub: 'x', scope: 'system/*.rs' }, { breakGlassReason: 'emergency' })),
    ).toBe(403);
  });

  it('break-glass turns a clinician’s purpose of use into emergency treatment', () => {
    const access = accessContextFrom(
      { sub: 'dr', scope: 'user/*.rs', role: 'clinician', org: 'RX1' },
      { breakGlassReason: 'Unconscious in ED' },
    );
    expect(access.purposeOfUse).toBe('ETREAT');
    expect(access.breakGlassReason).toBe('Unconscious in ED');
  });

  it('an identity administrator finds and updates patients, and does nothing else', () => {
    const admin = accessContextFrom({ sub: 'mpi', scope: 'user/*.cruds', role: 'identity-admin' });
    expect(['r', 's', 'u'].map((i) => can(admin, 'Patient', i as 'r'))).toEqual([true, true, true]);
    expect(can(admin, 'Patient', 'c')).toBe(false);
    expect(can(admin, 'Patient', 'd')).toBe(false);
    expect(can(admin, 'Observation', 'r')).toBe(false);
    expect(can(admin, 'Person', 'u')).toBe(false);
    expect(admin.purposeOfUse).toBe('HSYSADMIN');
    expect(isSecondaryUse(admin)).toBe(false);
  });

  it('a patient/ token acts for its person; other tokens for nobody in particular', () => {
    expect(tokenPerson(accessContextFrom({ sub: 'p', scope: 'patient/*.rs', patient: 'pat-1' }))).toEqual([
      'pat-1',
    ]);
    expect(tokenPerson(accessContextFrom({ sub: 'etl', scope: 'system/*.rs' }))).toBeUndefined();
  });
});
