import type { Condition } from 'fhir/r4';
import { sensitiveCategoryOf } from './sensitive-categories';

describe('sensitive categories are recognised by code lists and security labels', () => {
  const condition = (system: string, code: string, security?: string): Condition => ({
    resourceType: 'Condition',
    subject: { reference: 'Patient/x' },
    code: { coding: [{ system, code }] },
    ...(security
      ? {
          meta: {
            security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: security }],
          },
        }
      : {}),
  });

  it.each([
    ['http://hl7.org/fhir/sid/icd-10', 'A54.0', 'sexual-health'],
    ['http://hl7.org/fhir/sid/icd-10', 'F64.0', 'gender-identity'],
    ['http://hl7.org/fhir/sid/icd-10', 'Z31.2', 'assisted-conception'],
    ['http://snomed.info/sct', '86406008', 'hiv'],
    ['http://snomed.info/sct', '93461009', 'gender-identity'],
  ])('%s %s is %s', (system, code, category) => {
    expect(sensitiveCategoryOf(condition(system, code))).toBe(category);
  });

  it('a source security label (v3 sensitivity policy) makes any resource sensitive; PSY is mental health', () => {
    expect(sensitiveCategoryOf(condition('http://snomed.info/sct', '195967001', 'SDV'))).toBe(
      'sensitivity-label',
    );
    expect(sensitiveCategoryOf(condition('http://snomed.info/sct', '195967001', 'PSY'))).toBe('mental-health');
  });

  it('ordinary diagnoses are not sensitive', () => {
    expect(sensitiveCategoryOf(condition('http://snomed.info/sct', '195967001'))).toBeUndefined();
    expect(sensitiveCategoryOf(condition('http://hl7.org/fhir/sid/icd-10', 'J45'))).toBeUndefined();
  });
});
