import type { Observation, Patient } from 'fhir/r4';
import { changesIdentityLinks, identityLinksOf } from './identity-links';

const BASE = 'https://continuum.example/fhir';
const patient = (link?: Patient['link']): Patient => ({ resourceType: 'Patient', id: 'a', link });

describe('Patient.link as identity', () => {
  it('reads each link as its type and its target, local references in one form', () => {
    expect(
      identityLinksOf(
        patient([
          { type: 'seealso', other: { reference: `${BASE}/Patient/b`, display: 'B' } },
          {
            type: 'replaced-by',
            other: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9' } },
          },
        ]),
        BASE,
      ),
    ).toEqual(['replaced-by https://fhir.nhs.uk/Id/nhs-number|9', 'seealso Patient/b']);
    expect(
      identityLinksOf({ resourceType: 'Observation', status: 'final', code: {} } as Observation),
    ).toEqual([]);
  });

  it('sees a link added, removed, retargeted or retyped, and a linked patient deleted, as a change', () => {
    const linked = patient([{ type: 'seealso', other: { reference: 'Patient/b' } }]);
    expect(changesIdentityLinks(undefined, linked)).toBe(true);
    expect(changesIdentityLinks(linked, patient())).toBe(true);
    expect(
      changesIdentityLinks(linked, patient([{ type: 'seealso', other: { reference: 'Patient/c' } }])),
    ).toBe(true);
    expect(
      changesIdentityLinks(linked, patient([{ type: 'replaces', other: { reference: 'Patient/b' } }])),
    ).toBe(true);
    expect(changesIdentityLinks(linked, null)).toBe(true);
  });

  it('does not see the same links, in another order, form or display, or no links at all, as a change', () => {
    const links: Patient['link'] = [
      { type: 'seealso', other: { reference: 'Patient/b' } },
      { type: 'refer', other: { reference: 'Patient/c' } },
    ];
    const same: Patient['link'] = [
      { type: 'refer', other: { reference: `${BASE}/Patient/c` } },
      { type: 'seealso', other: { reference: 'Patient/b', display: 'Bea' } },
    ];
    expect(changesIdentityLinks(patient(links), patient(same), BASE)).toBe(false);
    expect(changesIdentityLinks(patient(), patient([]))).toBe(false);
    expect(changesIdentityLinks(undefined, patient())).toBe(false);
    expect(changesIdentityLinks(patient(), null)).toBe(false);
  });
});
