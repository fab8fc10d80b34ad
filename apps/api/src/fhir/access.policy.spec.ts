import type { Observation } from 'fhir/r4';
import { AccessPolicy } from './access.policy';

describe('access policy (the seam SMART scopes will fill)', () => {
  const policy = new AccessPolicy('http://fhir.test/fhir');
  const observation: Observation = {
    resourceType: 'Observation',
    id: 'o1',
    status: 'final',
    code: { text: 'x' },
    subject: { reference: 'Patient/p1' },
  };

  it('lets an unrestricted caller see and write anything', () => {
    expect(policy.assertReadable(observation, {})).toBe(observation);
    expect(() => policy.assertWritable(observation, {})).not.toThrow();
    expect(policy.searchScope({})).toEqual({});
  });

  it("restricts a patient-scoped caller to those patients' compartments", () => {
    const access = { patientIds: ['p2'] };
    expect(() => policy.assertReadable(observation, access)).toThrow(
      expect.objectContaining({ status: 404 }),
    );
    expect(() => policy.assertWritable(observation, access)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => policy.assertUnrestricted(access, 'History')).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(policy.assertReadable(observation, { patientIds: ['p1'] })).toBe(observation);
    expect(policy.searchScope(access)).toEqual({ compartment: { patientIds: ['p2'] } });
  });
});
