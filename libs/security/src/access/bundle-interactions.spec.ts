import type { Bundle, BundleEntry } from 'fhir/r4';
import { bundleInteractions } from './bundle-interactions';

const bundle = (
  entries: { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; ifNoneExist?: string }[],
): Bundle => ({
  resourceType: 'Bundle',
  type: 'batch',
  entry: entries.map((request) => ({ request })),
});

describe('bundle entries as SMART interactions', () => {
  it('maps each entry to its type and c/r/u/d/s', () => {
    const found = bundleInteractions(
      bundle([
        { method: 'POST', url: 'Observation' },
        { method: 'PUT', url: 'Patient/1' },
        { method: 'PATCH', url: 'Patient/1' },
        { method: 'DELETE', url: 'Condition?code=x' },
        { method: 'GET', url: 'Encounter/9' },
        { method: 'GET', url: 'Encounter?patient=1' },
      ]),
      10,
    );
    expect(found.map((f) => `${f.resourceType}.${f.interaction}`)).toEqual([
      'Observation.c',
      'Patient.u',
      'Patient.u',
      'Condition.d',
      'Encounter.r',
      'Encounter.s',
    ]);
  });

  it('marks conditional creates, updates and deletes (their criteria are a search)', () => {
    const found = bundleInteractions(
      bundle([
        { method: 'POST', url: 'Observation', ifNoneExist: 'identifier=x|1' },
        { method: 'POST', url: 'Observation' },
        { method: 'PUT', url: 'Patient?identifier=x|2' },
        { method: 'PUT', url: 'Patient/1' },
        { method: 'DELETE', url: 'Condition?code=x' },
        { method: 'GET', url: 'Encounter?patient=1' },
      ]),
      10,
    );
    expect(found.map((f) => f.conditional)).toEqual([true, false, true, false, true, false]);
  });

  it('refuses a bundle over the entry limit (413) and an entry without a method (400)', () => {
    const three = bundle([1, 2, 3].map(() => ({ method: 'GET' as const, url: 'Patient/1' })));
    expect(() => bundleInteractions(three, 2)).toThrow(expect.objectContaining({ status: 413 }));
    const broken: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ request: { url: 'Patient' } } as BundleEntry],
    };
    expect(() => bundleInteractions(broken, 2)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
