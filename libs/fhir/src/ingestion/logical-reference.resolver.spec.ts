import type { Encounter, Organization } from 'fhir/r4';
import { identifierIndex, logicalTargets, resolveLogicalReferences } from './logical-reference.resolver';

describe('logical references', () => {
  const organisation: Organization = {
    resourceType: 'Organization',
    id: 'org-1',
    identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RXX' }],
  };
  const encounter = (): Encounter => ({
    resourceType: 'Encounter',
    id: 'enc-1',
    status: 'finished',
    class: { code: 'AMB' },
    serviceProvider: {
      type: 'Organization',
      identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RXX' },
    },
  });

  it('lists the targets a batch refers to by identifier', () => {
    expect(logicalTargets([encounter()])).toEqual([
      { type: 'Organization', system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RXX' },
    ]);
  });

  it('resolves a target known in the batch and keeps the identifier', () => {
    const resources = [organisation, encounter()];
    expect(resolveLogicalReferences(resources, identifierIndex(resources))).toBe(1);
    expect((resources[1] as Encounter).serviceProvider).toMatchObject({
      reference: 'Organization/org-1',
      identifier: { value: 'RXX' },
    });
  });

  it('leaves an unknown target as a logical reference', () => {
    const resources = [encounter()];
    expect(resolveLogicalReferences(resources, new Map())).toBe(0);
    expect((resources[0] as Encounter).serviceProvider?.reference).toBeUndefined();
  });
});
