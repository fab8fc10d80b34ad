import type { Observation, Patient } from 'fhir/r4';
import { applyElements, applySummary } from './summary';
import { officialExample } from './testing/test-data';

describe('_summary and _elements', () => {
  const patient = officialExample<Patient>('patient-example.json');

  it('_summary=true keeps the isSummary elements of the R4 definitions and tags the result', () => {
    const summary = applySummary(patient, 'true') as Patient;
    expect(summary).toMatchObject({ id: 'example', birthDate: '1974-12-25', gender: 'male', active: true });
    expect(summary).not.toHaveProperty('text');
    expect(summary).not.toHaveProperty('contact'); // not a summary element
    expect(summary.meta?.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));
  });

  it('_summary=true keeps choice elements by their stem', () => {
    const observation = officialExample<Observation>('observation-example.json');
    expect(applySummary(observation, 'true')).toHaveProperty('valueQuantity');
    expect(applySummary(observation, 'true')).toHaveProperty('effectiveDateTime');
  });

  it('_summary=text keeps narrative and mandatory elements, data drops the narrative, false changes nothing', () => {
    const observation = officialExample<Observation>('observation-example.json');
    expect(Object.keys(applySummary(observation, 'text')).sort()).toEqual([
      'code',
      'id',
      'meta',
      'resourceType',
      'status',
      'text',
    ]);
    expect(applySummary(patient, 'data')).not.toHaveProperty('text');
    expect(applySummary(patient, 'data')).toHaveProperty('contact');
    expect(applySummary(patient, 'false')).toBe(patient);
  });

  it('_elements keeps the listed elements (with their primitive extensions) and the identity', () => {
    expect(Object.keys(applyElements(patient, ['birthDate', 'name'])).sort()).toEqual([
      '_birthDate',
      'birthDate',
      'id',
      'meta',
      'name',
      'resourceType',
    ]);
  });
});
