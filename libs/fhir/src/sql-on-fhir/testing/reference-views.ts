import type { ViewDefinition } from '@continuum/fhir';

/** The three reference views of `npm run bench -- views` and of the compiled-versus-memory differential spec (docs/sql-on-fhir.md). */
export const REFERENCE_VIEWS: ViewDefinition[] = [
  {
    resourceType: 'ViewDefinition',
    name: 'patient_demographics',
    status: 'active',
    resource: 'Patient',
    constant: [{ name: 'nhs', valueUri: 'https://fhir.nhs.uk/Id/nhs-number' }],
    select: [
      {
        column: [
          { name: 'id', path: 'getResourceKey()' },
          { name: 'nhs_number', path: 'identifier.where(system = %nhs).value.first()' },
          { name: 'gender', path: 'gender' },
          { name: 'birth_date', path: 'birthDate' },
          { name: 'family', path: 'name.family.first()' },
          { name: 'given', path: "name.first().given.join(' ')" },
          { name: 'postcode', path: 'address.postalCode.first()' },
          { name: 'gp_practice', path: 'generalPractitioner.getReferenceKey(Organization).first()' },
        ],
      },
    ],
  },
  {
    resourceType: 'ViewDefinition',
    name: 'observation_flat',
    status: 'active',
    resource: 'Observation',
    select: [
      {
        column: [
          { name: 'id', path: 'getResourceKey()' },
          { name: 'patient', path: 'subject.getReferenceKey(Patient)' },
          { name: 'status', path: 'status' },
          { name: 'effective', path: 'effective.ofType(dateTime)' },
        ],
      },
      {
        forEach: 'code.coding',
        column: [
          { name: 'code_system', path: 'system' },
          { name: 'code', path: 'code' },
        ],
      },
      {
        forEachOrNull: 'component',
        column: [
          { name: 'component_code', path: 'code.coding.code.first()' },
          { name: 'component_value', path: 'value.ofType(Quantity).value' },
        ],
      },
      {
        column: [
          { name: 'value', path: 'value.ofType(Quantity).value' },
          { name: 'unit', path: 'value.ofType(Quantity).unit' },
        ],
      },
    ],
  },
  {
    resourceType: 'ViewDefinition',
    name: 'encounter',
    status: 'active',
    resource: 'Encounter',
    select: [
      {
        column: [
          { name: 'id', path: 'getResourceKey()' },
          { name: 'patient', path: 'subject.getReferenceKey(Patient)' },
          { name: 'status', path: 'status' },
          { name: 'class', path: 'class.code' },
          { name: 'start', path: 'period.start' },
          { name: 'end', path: 'period.end' },
          { name: 'type', path: 'type.coding.code.first()' },
          { name: 'provider', path: 'serviceProvider.getReferenceKey(Organization)' },
        ],
      },
    ],
  },
];
