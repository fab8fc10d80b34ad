import type { Identifier, Patient } from 'fhir/r4';
import { IdentifierSystem, UkCoreExtension } from '@continuum/fhir';
import type { Person, SourceView } from '../person/person.model';

const VERIFICATION_SYSTEM = 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland';

/** A source's Patient: its local id, the NHS number when it has one, and the demographics as it recorded them. */
export function patientOf(person: Person, view: SourceView, id: string, localId = view.localId): Patient {
  const identifier: Identifier[] = [];
  if (view.nhsNumber && localId === view.localId) {
    identifier.push({
      extension: [
        {
          url: UkCoreExtension.nhsNumberVerificationStatus,
          valueCodeableConcept: {
            coding: [{ system: VERIFICATION_SYSTEM, code: '01', display: 'Number present and verified' }],
          },
        },
      ],
      system: IdentifierSystem.nhsNumber,
      value: view.nhsNumber,
    });
  }
  identifier.push({ use: 'usual', system: view.source.patientIdSystem, value: localId });
  const patient: Patient = {
    resourceType: 'Patient',
    id,
    identifier,
    active: true,
    name: [
      {
        use: 'official',
        family: view.family,
        given: person.middle ? [view.given, person.middle] : [view.given],
        ...(person.prefix ? { prefix: [person.prefix] } : {}),
      },
    ],
    telecom: [{ system: 'phone', value: person.mobile, use: 'mobile' }],
    gender: person.sex,
    birthDate: view.birthDate,
    address: [
      {
        use: 'home',
        line: [view.address.line],
        city: view.address.town,
        district: view.address.county,
        postalCode: view.address.postcode,
        country: 'GB',
      },
    ],
  };
  if (person.deceasedDate) patient.deceasedDateTime = person.deceasedDate;
  if (person.practice)
    patient.generalPractitioner = [
      {
        reference: `Organization/${person.practice.organisationId}`,
        identifier: { system: IdentifierSystem.odsOrganisationCode, value: person.practice.odsCode },
      },
    ];
  if (person.nextOfKin && view.source.kind !== 'ooh') {
    patient.contact = [
      {
        relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N', display: 'Next-of-Kin' }] }],
        name: { family: person.nextOfKin.family, given: [person.nextOfKin.given] },
      },
    ];
  }
  return patient;
}
