import { UkCoreExtension } from '../identifier-systems';
import { adt, INPUT, mapFailure, mapOk, one, sample, validationErrors } from './testing/hl7v2-test-messages';

describe('PID, PD1 and NK1 become the Patient', () => {
  const result = mapOk(sample('nhs-itk-adt/ITK_ADT_A01_example.hl7'));
  const patient = one(result, 'Patient');

  it('maps the NHS number, names, birth date, sex, address, telecom, marital status and ethnic category', () => {
    expect(patient).toMatchObject({
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '3333333333' }],
      name: [{ use: 'official', family: 'SMITH', given: ['FREDRICA', 'J'], prefix: ['MRS'] }],
      gender: 'female', // NHS Data Dictionary code 2
      birthDate: '1965-12-13',
      address: [
        { use: 'home', line: ['29 WEST AVENUE', 'BURYTHORPE'], city: 'MALTON', postalCode: 'YO32 5TT' },
      ],
      telecom: [{ system: 'phone', value: '+441234567890', use: 'home' }],
      maritalStatus: {
        coding: [
          { code: 'M', system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-PersonMaritalStatusEngland' },
        ],
      },
    });
    expect(patient.extension).toContainEqual(
      expect.objectContaining({
        url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory',
      }),
    );
  });

  it('references the registered GP practice (ODS code) and GP from PD1', () => {
    const practice = result.resources.find(
      (resource) => resource.resourceType === 'Organization' && resource.identifier?.[0].value === 'Y06601',
    );
    expect(practice).toMatchObject({
      name: 'MALTON GP PRACTICE',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code' }],
    });
    expect(patient.generalPractitioner?.[0].reference).toBe(`Organization/${practice?.id}`);
    expect(patient.generalPractitioner?.[1].display).toBe('Dr Gregory Townley');
  });

  it('maps NK1 to a contact', () => {
    expect(patient.contact).toEqual([
      expect.objectContaining({
        name: expect.objectContaining({ family: 'SMITH', given: ['ALBERT', 'J'] }),
        gender: 'male',
      }),
    ]);
  });

  it('keeps local identifiers under a system named for their assigning authority', () => {
    const local = one(mapOk(adt({ event: 'A28' })), 'Patient').identifier?.[1];
    expect(local).toEqual({ system: 'https://continuum.example.nhs.uk/Id/rcb-pas/rcb', value: 'K123456' });
  });

  it('records the NHS number verification status from PID-32 (NSTS01) as the UK Core extension', () => {
    const nhsNumber = one(mapOk(adt({ event: 'A28', pid32: 'NSTS01' })), 'Patient').identifier?.[0];
    expect(nhsNumber?.extension).toEqual([
      {
        url: UkCoreExtension.nhsNumberVerificationStatus,
        valueCodeableConcept: {
          coding: [
            {
              system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland',
              code: '01',
              display: 'Number present and verified',
            },
          ],
        },
      },
    ]);
    expect(validationErrors(mapOk(adt({ event: 'A28', pid32: 'NSTS01' })).resources)).toEqual([]);
  });

  it('refuses a message about more than one patient', () => {
    const twoPatients = `${adt({ event: 'A28' })}\rPID|1||K2^^^RCB^MR||OTHER^PERSON`;
    expect(mapFailure(twoPatients).problems[0]).toMatchObject({ code: 'not-supported', expression: ['PID'] });
  });

  it('scopes ids by source system: two systems with the same local id make two patients', () => {
    const other = mapOk(adt({ event: 'A28' }), { ...INPUT, sourceSystem: 'OTHER-PAS' });
    expect(other.patientId).not.toBe(mapOk(adt({ event: 'A28' })).patientId);
  });
});
