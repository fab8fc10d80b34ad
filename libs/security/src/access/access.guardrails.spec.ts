import type { ConsentQueries } from '@continuum/store';
import type { Observation, Patient, Resource } from 'fhir/r4';
import type { AuditTarget } from '../audit/audit.recorder';
import { ConsentGate } from '../consent/consent.gate';
import { type AccessClaims, accessContextFrom } from './access-context';
import { AccessGuardrails } from './access.guardrails';

/**
 * Consent look-ups answered from memory: patient `hidden` has objected to sharing with everyone, so it is hidden
 * from any caller a restriction applies to (the SQL that decides it is tested against Postgres elsewhere).
 */
const consents = {
  hiddenAmong: (ids: string[]) => Promise.resolve(new Set(ids.filter((id) => id === 'hidden'))),
} as unknown as ConsentQueries;
const guardrails = new AccessGuardrails(new ConsentGate(consents), 'https://continuum.example/fhir');

const observation = (subject: string, performer?: string): Observation => ({
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  code: {},
  subject: { reference: `Patient/${subject}` },
  ...(performer ? { performer: [{ reference: `Patient/${performer}` }] } : {}),
});
const patient = (id: string, linkedTo?: string): Patient => ({
  resourceType: 'Patient',
  id,
  ...(linkedTo ? { link: [{ type: 'seealso', other: { reference: `Patient/${linkedTo}` } }] } : {}),
});

async function outcome(claims: AccessClaims, current: Resource | undefined, next: Resource | null) {
  const target: AuditTarget = { patientIds: new Set(), resources: [] };
  const access = accessContextFrom({ sub: 'caller', ...claims });
  const change = { resourceType: (current ?? next)?.resourceType ?? '', id: 'x', current, next };
  try {
    await guardrails.assertChange(access, change, target);
    return { status: 'allowed' as const, patients: [...target.patientIds].sort() };
  } catch (error) {
    return { status: (error as { status: number }).status, patients: [...target.patientIds].sort() };
  }
}

const PATIENT_A = { scope: 'patient/*.cruds', patient: 'a' };
const SYSTEM = { scope: 'system/*.cruds' };
const CLINICIAN = { scope: 'user/*.cruds', role: 'clinician', org: 'RX1' };
const IDENTITY_ADMIN = { scope: 'user/Patient.rus', role: 'identity-admin' };

describe('a change, as every write path puts it to the guardrails', () => {
  it('a patient token writes only resources all of whose patients are its own', async () => {
    expect((await outcome(PATIENT_A, undefined, observation('a'))).status).toBe('allowed');
    expect((await outcome(PATIENT_A, undefined, observation('b', 'a'))).status).toBe(403);
    expect((await outcome(PATIENT_A, observation('a'), observation('b', 'a'))).status).toBe(403);
    expect((await outcome(PATIENT_A, undefined, { resourceType: 'Practitioner' })).status).toBe(403);
  });

  it('a patient token changes nothing that also belongs to another record, and cannot see what is only another’s', async () => {
    expect((await outcome(PATIENT_A, observation('b', 'a'), observation('a'))).status).toBe(403);
    expect((await outcome(PATIENT_A, observation('b', 'a'), null)).status).toBe(403);
    expect((await outcome(PATIENT_A, observation('b'), null)).status).toBe(404);
  });

  it('consent hides the current version from a clinician elsewhere; a new resource is theirs to write', async () => {
    expect(await outcome(CLINICIAN, observation('hidden'), null)).toEqual({
      status: 403,
      patients: ['hidden'],
    });
    expect((await outcome(CLINICIAN, observation('hidden'), observation('v'))).status).toBe(403);
    expect((await outcome(CLINICIAN, undefined, observation('hidden'))).status).toBe('allowed');
    expect((await outcome(SYSTEM, observation('hidden'), null)).status).toBe('allowed');
  });

  it('only an identity administrator adds, removes or changes Patient.link', async () => {
    for (const caller of [SYSTEM, CLINICIAN]) {
      expect((await outcome(caller, undefined, patient('p', 'q'))).status).toBe(403);
      expect((await outcome(caller, patient('p'), patient('p', 'q'))).status).toBe(403);
      expect((await outcome(caller, patient('p', 'q'), patient('p'))).status).toBe(403);
      expect((await outcome(caller, patient('p', 'q'), null)).status).toBe(403);
      expect(
        (await outcome(caller, patient('p', 'q'), { ...patient('p', 'q'), gender: 'other' } as Patient))
          .status,
      ).toBe('allowed');
    }
    expect((await outcome(PATIENT_A, patient('a'), patient('a', 'b'))).status).toBe(403);
    expect(await outcome(IDENTITY_ADMIN, patient('p'), patient('p', 'q'))).toEqual({
      status: 'allowed',
      patients: ['p', 'q'],
    });
    expect((await outcome(IDENTITY_ADMIN, patient('p', 'q'), patient('p'))).status).toBe('allowed');
  });

  it('notes the patients of the current and the new version for the audit, deletions included', async () => {
    expect((await outcome(SYSTEM, observation('v'), null)).patients).toEqual(['v']);
    expect((await outcome(SYSTEM, observation('v'), observation('w'))).patients).toEqual(['v', 'w']);
  });
});
