import type { Parameters, Patient } from 'fhir/r4';
import { parseAdministrationParameters, parseReviewQueueQuery } from './identity-parameters';
import { DEFAULT_MATCH_COUNT, MAX_MATCH_COUNT, parseMatchParameters } from './match-parameters';
import { parseCrossReferenceQuery } from './patient-identifier-cross-reference.service';

const BASE = 'https://continuum.example/fhir';
const patient: Patient = {
  resourceType: 'Patient',
  name: [{ family: 'Okafor', given: ['Ada'] }],
  birthDate: '1970-01-02',
};
const input = (...parameter: Parameters['parameter'] & object) =>
  ({ resourceType: 'Parameters', parameter }) as Parameters;
const status = (action: () => unknown) => {
  try {
    action();
  } catch (error) {
    return [(error as { status?: number }).status, (error as Error).message];
  }
  return [200, ''];
};

describe('identity operation parameters', () => {
  it('$match: resource required and a valid Patient; flags default; count capped', () => {
    expect(parseMatchParameters(input({ name: 'resource', resource: patient }))).toEqual({
      patient,
      onlyCertainMatches: false,
      count: DEFAULT_MATCH_COUNT,
    });
    expect(
      parseMatchParameters(
        input(
          { name: 'resource', resource: patient },
          { name: 'onlyCertainMatches', valueBoolean: true },
          { name: 'count', valueInteger: 1000 },
        ),
      ),
    ).toMatchObject({ onlyCertainMatches: true, count: MAX_MATCH_COUNT });
    expect(status(() => parseMatchParameters(input()))).toEqual([400, expect.stringMatching(/missing/)]);
    expect(status(() => parseMatchParameters({ resourceType: 'Parameters', parameter: 'x' }))).toEqual([
      400,
      expect.stringMatching(/list of parameters/),
    ]);
    expect(
      status(() =>
        parseMatchParameters(
          input({ name: 'resource', resource: patient }, { name: 'resource', resource: patient }),
        ),
      ),
    ).toEqual([400, expect.stringMatching(/more than once/)]);
    expect(
      status(() =>
        parseMatchParameters(input({ name: 'resource', resource: { ...patient, birthDate: 'soon' } })),
      ),
    ).toEqual([400, expect.stringMatching(/not a valid Patient/)]);
  });

  it('$ihe-pix: one sourceIdentifier with both parts; target systems repeated or comma-separated', () => {
    expect(
      parseCrossReferenceQuery([
        ['sourceIdentifier', 'urn:a|1'],
        ['targetSystem', 'urn:b,urn:c'],
        ['targetSystem', 'urn:b'],
      ]),
    ).toEqual({ source: { system: 'urn:a', value: '1' }, targetSystems: ['urn:b', 'urn:c'] });
    for (const query of [[], [['sourceIdentifier', '1']], [['sourceIdentifier', 'urn:a|']], [['other', 'x']]])
      expect(status(() => parseCrossReferenceQuery(query as [string, string][]))[0]).toBe(400);
  });

  it('administration: patient by reference, person or otherPatient, reason; malformed input is a 400', () => {
    expect(
      parseAdministrationParameters(
        input(
          { name: 'patient', valueReference: { reference: `${BASE}/Patient/p1` } },
          { name: 'person', valueId: '0b6c8f8e-2f43-4a1e-9d59-7f1c2a3b4c5d' },
          { name: 'reason', valueString: 'seen in clinic' },
        ),
        BASE,
      ),
    ).toEqual({
      patientId: 'p1',
      target: { personId: '0b6c8f8e-2f43-4a1e-9d59-7f1c2a3b4c5d' },
      reason: 'seen in clinic',
    });
    expect(
      parseAdministrationParameters(
        input(
          { name: 'patient', valueReference: { reference: 'Patient/p1' } },
          { name: 'otherPatient', valueReference: { reference: 'Patient/p2' } },
        ),
        BASE,
      ).target,
    ).toEqual({ patientId: 'p2' });
    for (const body of [
      input(),
      input({ name: 'patient', valueReference: { reference: 'Observation/o1' } }),
      input({ name: 'patient', valueReference: { reference: 'https://elsewhere.org/Patient/p1' } }),
      input({ name: 'patient', valueString: 'p1' }),
      input(
        { name: 'patient', valueReference: { reference: 'Patient/p1' } },
        { name: 'colour', valueString: 'x' },
      ),
      { resourceType: 'Patient' },
    ])
      expect(status(() => parseAdministrationParameters(body, BASE))[0]).toBe(400);
  });

  it('review queue: _count 1..500 (default 50) and an optional patient', () => {
    expect(parseReviewQueueQuery([], BASE)).toEqual({ count: 50, patientId: undefined });
    expect(
      parseReviewQueueQuery(
        [
          ['_count', '5'],
          ['patient', 'p9'],
        ],
        BASE,
      ),
    ).toEqual({ count: 5, patientId: 'p9' });
    expect(status(() => parseReviewQueueQuery([['_count', '0']], BASE))[0]).toBe(400);
    expect(status(() => parseReviewQueueQuery([['state', 'x']], BASE))[0]).toBe(400);
  });
});
