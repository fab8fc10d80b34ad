import type { RestrictedPersonQueries } from '@continuum/store';
import type { BundleEntry, Observation, Patient, RelatedPerson, Resource } from 'fhir/r4';
import { RestrictedPeople } from './restricted-people';

/** An in-memory look-up standing in for the SQL one (its int spec covers the SQL), counting its calls. */
function lookUp(restricted: string[]) {
  const asked: string[][] = [];
  const queries = {
    restrictedAmong: async (ids: readonly string[]) => {
      asked.push([...ids]);
      return new Set(ids.filter((id) => restricted.includes(id)));
    },
  } as unknown as RestrictedPersonQueries;
  return { people: new RestrictedPeople(queries, 'http://localhost/fhir'), asked };
}

const patient = (id: string): Patient => ({
  resourceType: 'Patient',
  id,
  address: [{ postalCode: 'LS1 4AP' }],
  telecom: [{ system: 'phone', value: '0113' }],
});
const relative: RelatedPerson = {
  resourceType: 'RelatedPerson',
  id: 'r1',
  patient: { reference: 'Patient/hidden' },
  address: [{ postalCode: 'LS1 4AP' }],
};
const observation: Observation = {
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  code: {},
  subject: { reference: 'Patient/hidden' },
};

describe('RestrictedPeople at the secured door', () => {
  it('redacts the restricted person’s Patient and RelatedPerson in one look-up, and leaves the rest alone', async () => {
    const { people, asked } = lookUp(['hidden']);
    const [hidden, open, related, clinical] = await people.redact<Resource>([
      { resource: patient('hidden') },
      { resource: patient('open') },
      { resource: relative },
      { resource: observation },
    ]);
    expect(hidden).not.toHaveProperty('address');
    expect(open).toEqual(patient('open'));
    expect(related).not.toHaveProperty('address');
    expect(clinical).toBe(observation);
    expect(asked).toHaveLength(1);
    expect(asked[0].sort()).toEqual(['hidden', 'hidden', 'open'].sort());
  });

  it('uses the stored compartments when the search gave them, and asks nothing for a page without locating types', async () => {
    const { people, asked } = lookUp(['hidden']);
    const [redacted] = await people.redact([{ resource: patient('renamed'), compartments: ['hidden'] }]);
    expect(redacted).not.toHaveProperty('telecom');
    await people.redact([{ resource: observation }]);
    expect(asked).toEqual([['hidden']]);
  });

  it('redacts bundle entries that carry a resource and keeps the others as they were', async () => {
    const { people } = lookUp(['hidden']);
    const status: BundleEntry = { response: { status: '204' } };
    const entries = await people.redactBundleEntries([{ resource: patient('hidden') }, status]);
    expect(entries[0].resource).not.toHaveProperty('address');
    expect(entries[1]).toBe(status);
  });
});
