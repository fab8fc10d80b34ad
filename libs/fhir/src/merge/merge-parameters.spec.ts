import type { Patient } from 'fhir/r4';
import { FhirError } from '../operation-outcome';
import { mergeOutputParameters, parseMergeParameters, parseUnmergeParameters } from './merge-parameters';

const BASE = 'https://fhir.example.nhs.uk/R4';
const ref = (name: string, reference: string) => ({ name, valueReference: { reference } });

describe('$merge and $unmerge parameters', () => {
  it('reads the source and target patients (relative or on our base), preview and reason', () => {
    expect(
      parseMergeParameters(
        {
          resourceType: 'Parameters',
          parameter: [
            ref('source-patient', 'Patient/m'),
            ref('target-patient', `${BASE}/Patient/s`),
            { name: 'preview', valueBoolean: true },
            { name: 'reason', valueString: ' duplicate registration ' },
          ],
        },
        BASE,
      ),
    ).toEqual({
      sourcePatientId: 'm',
      targetPatientId: 's',
      preview: true,
      reason: 'duplicate registration',
    });
    expect(
      parseUnmergeParameters({ resourceType: 'Parameters', parameter: [ref('source-patient', 'Patient/m')] }),
    ).toEqual({ sourcePatientId: 'm' });
  });

  it('refuses a body that is not Parameters, a missing or foreign patient, a preview that is not a boolean', () => {
    const refusal = (body: unknown) => {
      try {
        parseMergeParameters(body, BASE);
      } catch (error) {
        return error instanceof FhirError ? `${error.status} ${error.message}` : String(error);
      }
      return 'accepted';
    };
    expect(refusal({ resourceType: 'Patient' })).toBe('400 $merge takes a Parameters resource');
    expect(refusal({ resourceType: 'Parameters', parameter: [ref('source-patient', 'Patient/m')] })).toMatch(
      /^400 'target-patient' must be a valueReference to a Patient/,
    );
    expect(
      refusal({
        resourceType: 'Parameters',
        parameter: [
          ref('source-patient', 'https://elsewhere.example/Patient/m'),
          ref('target-patient', 'Patient/s'),
        ],
      }),
    ).toMatch(/'source-patient'/);
    expect(
      refusal({
        resourceType: 'Parameters',
        parameter: [
          ref('source-patient', 'Patient/m'),
          ref('target-patient', 'Patient/s'),
          { name: 'preview', valueString: 'yes' },
        ],
      }),
    ).toMatch(/'preview' must be a valueBoolean/);
  });

  it('answers the resulting Patients and the counts re-pointed per type', () => {
    const merged: Patient = { resourceType: 'Patient', id: 'm', active: false };
    const surviving: Patient = { resourceType: 'Patient', id: 's' };
    const output = mergeOutputParameters({
      preview: true,
      merged,
      surviving,
      counts: { Observation: 3, Encounter: 1 },
    });
    expect(output.parameter?.map((parameter) => parameter.name)).toEqual([
      'outcome',
      'result',
      'source-result',
      'repointed',
    ]);
    expect(output.parameter?.[3].part).toEqual([
      { name: 'Encounter', valueInteger: 1 },
      { name: 'Observation', valueInteger: 3 },
    ]);
    expect(JSON.stringify(output.parameter?.[0].resource)).toMatch(/4 resource\(s\) would be re-pointed/);
  });
});
