import type { Patient } from 'fhir/r4';
import { demographicsOf } from './demographics';
import { proposeLinks, type ScoredCandidate } from './link-decision';
import { DEFAULT_MATCH_MODEL } from './match-model';
import { prepare } from './prepared-record';
import { score } from './scoring';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const VERIFIED = {
  url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
  valueCodeableConcept: {
    coding: [
      { system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland', code: '01' },
    ],
  },
};
const patient = (
  nhsNumber: string | undefined,
  given: string,
  overrides: Partial<Patient> = {},
): Patient => ({
  resourceType: 'Patient',
  identifier: nhsNumber ? [{ system: NHS, value: nhsNumber, extension: [VERIFIED] }] : [],
  name: [{ family: 'Okafor', given: [given] }],
  birthDate: '1984-03-12',
  gender: 'female',
  address: [{ postalCode: 'LS6 2QT' }],
  ...overrides,
});
const scored = (personId: string, incoming: Patient, stored: Patient): ScoredCandidate => ({
  personId,
  patientId: `${personId}-record`,
  score: score(prepare(demographicsOf(incoming)), prepare(demographicsOf(stored)), DEFAULT_MATCH_MODEL),
});

describe('from record scores to links to persons', () => {
  const incoming = patient('9434765919', 'Adaeze');

  it('links to the one person whose record matches', () => {
    const proposals = proposeLinks([
      scored('person-a', incoming, patient('9434765919', 'Adaeze')),
      scored('person-b', incoming, patient('9434765870', 'Chidi', { birthDate: '1990-01-01' })),
    ]);
    expect(proposals.map((proposal) => [proposal.personId, proposal.state])).toEqual([['person-a', 'MATCH']]);
    expect(proposals[0].probability).toBe(1);
  });

  it('never proposes a person holding a record with another verified NHS number, however alike', () => {
    const proposals = proposeLinks([
      scored('person-a', incoming, patient(undefined, 'Adaeze')),
      scored('person-a', incoming, patient('9434765870', 'Adaeze')),
    ]);
    expect(proposals).toEqual([]);
  });

  it('leaves two matching persons to a reviewer rather than choosing one', () => {
    const proposals = proposeLinks([
      scored('person-a', incoming, patient('9434765919', 'Adaeze')),
      scored('person-b', incoming, patient('9434765919', 'Adaeze')),
    ]);
    expect(proposals.map((proposal) => proposal.state)).toEqual(['POSSIBLE_MATCH', 'POSSIBLE_MATCH']);
  });

  it('answers no one when nothing is close: the patient is a person of its own', () => {
    expect(
      proposeLinks([
        scored(
          'person-a',
          incoming,
          patient(undefined, 'Tomasz', {
            name: [{ family: 'Nowak', given: ['Tomasz'] }],
            birthDate: '1951-11-30',
            gender: 'male',
            address: [{ postalCode: 'BD7 1DP' }],
          }),
        ),
      ]),
    ).toEqual([]);
  });
});
