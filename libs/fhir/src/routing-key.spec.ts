import type { Bundle, Observation, Patient } from 'fhir/r4';
import { patientRoutingKey } from './routing-key';

describe('patientRoutingKey', () => {
  const patient: Patient = {
    resourceType: 'Patient',
    id: 'gp-42',
    identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '900 000 0009' }],
  };

  it('uses the normalised NHS number of a patient', () => {
    expect(patientRoutingKey(patient)).toBe('9000000009');
  });

  it("uses the source's patient id when there is no NHS number", () => {
    expect(patientRoutingKey({ resourceType: 'Patient', id: 'gp-43' })).toBe('Patient/gp-43');
  });

  it('uses the subject of clinical resources', () => {
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'pulse' },
      subject: { reference: 'Patient/gp-42' },
    };
    expect(patientRoutingKey(observation)).toBe('Patient/gp-42');
  });

  it('uses the patient inside a bundle', () => {
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: patient }] };
    expect(patientRoutingKey(bundle)).toBe('9000000009');
  });
});
