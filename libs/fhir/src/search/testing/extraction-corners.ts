import type { Resource } from 'fhir/r4';

const UCUM = 'http://unitsofmeasure.org';
const patientRef = { reference: 'Patient/p1' };

/**
 * Resources written to reach the corners of fhirpath.js's behaviour: primitive extensions without values, arrays
 * with nulls, every choice type, references known only by their type, unions whose values FHIRPath equality
 * merges (1 g = 1000 mg, decimals equal when rounded), a quantity with a comparator in such a union (fhirpath.js
 * throws), contained resources, Bundle documents, and shapes the validator would refuse.
 */
export const extractionCorners = [
  {
    resourceType: 'Patient',
    id: 'corners',
    active: true,
    _active: { extension: [{ url: 'http://example.org/why', valueString: 'x' }] },
    _birthDate: {
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' },
      ],
    },
    gender: 'female',
    name: [
      { given: [null, 'Ann', 'Zoë'], _given: [{ id: 'g0' }, null, null, { id: 'g3' }], family: 'Ørsted' },
      { _family: { extension: [] }, text: 'Ann Ørsted' },
      null,
    ],
    telecom: [
      { system: 'phone', value: '01234' },
      { _system: { extension: [] }, value: '05678' },
      { system: 'email', value: 'a@example.org', _value: { id: 'v' } },
      { value: 'no system' },
    ],
    deceasedDateTime: '2020-01-01',
    address: [{ line: ['1 High St', null], city: 'Leeds', postalCode: 'LS1 1AA' }],
    contained: [{ resourceType: 'Practitioner', id: 'gp', name: [{ family: 'Contained' }] }],
    generalPractitioner: [{ reference: '#gp' }, { type: 'Organization', display: 'typed only' }],
    link: [{ other: { reference: 'Patient/other' }, type: 'seealso' }],
  },
  { resourceType: 'Patient', id: 'deceased-flag', deceasedBoolean: false, _birthDate: { id: 'only-id' } },
  {
    resourceType: 'Observation',
    id: 'equal-quantities',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] },
    subject: {
      type: 'Patient',
      identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' },
    },
    component: [
      { code: { text: 'a' }, valueQuantity: { value: 1000, unit: 'mg', system: UCUM, code: 'mg' } },
      { code: { text: 'b' }, valueQuantity: { value: 1, unit: 'g', system: UCUM, code: 'g' } },
      { code: { text: 'c' }, valueQuantity: { value: 1, unit: 'gram', system: UCUM, code: 'g' } },
    ],
  },
  {
    resourceType: 'Observation',
    id: 'rounded-decimals',
    status: 'final',
    code: { text: 'rounded' },
    valueQuantity: { value: 1.000000001, system: 'http://example.org/units', code: 'u' },
    component: [
      {
        code: { text: 'a' },
        valueQuantity: { value: 1.0000000011, system: 'http://example.org/units', code: 'u' },
      },
      {
        code: { text: 'a' },
        valueQuantity: { value: 1.0000000011, system: 'http://example.org/units', code: 'u' },
      },
    ],
  },
  {
    resourceType: 'Observation',
    id: 'comparator-in-union',
    status: 'final',
    code: { text: 'comparator' },
    valueQuantity: { value: 5, comparator: '<', system: UCUM, code: 'mmol/L' },
    component: [{ code: { text: 'x' }, valueQuantity: { value: 6, system: UCUM, code: 'mmol/L' } }],
  },
  {
    resourceType: 'Observation',
    id: 'choices',
    status: 'final',
    code: { coding: [{ system: 'http://snomed.info/sct', code: '1', display: 'One' }], text: 'One' },
    subject: { reference: 'https://other.example.org/fhir/Patient/x/_history/2' },
    effectivePeriod: { start: '2021-02-03T04:05:06+01:00' },
    valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '2' }] },
    component: [
      { code: { text: 'when' }, valueDateTime: '2021-02' },
      { code: { text: 'what' }, valueString: 'free text' },
      { code: { text: 'range' }, valueRange: { low: { value: 1, system: UCUM, code: 'kg' } } },
      { code: { text: 'ratio' }, valueRatio: { numerator: { value: 1 }, denominator: { value: 2 } } },
    ],
    hasMember: [{ reference: 'Observation/a' }, { reference: 'Observation/a' }],
  },
  {
    resourceType: 'Condition',
    id: 'onset-age',
    subject: { reference: 'Patient/p1', type: 'Group' },
    code: { text: 'age' },
    onsetAge: { value: 42, unit: 'a', system: UCUM, code: 'a' },
    abatementString: 'in remission',
    recordedDate: '2019',
    evidence: [{ detail: [patientRef, patientRef] }],
  },
  {
    resourceType: 'Encounter',
    id: 'participants',
    status: 'finished',
    class: { code: 'AMB' },
    subject: { reference: 'https://example.org/a\nb/Patient/p1' },
    participant: [
      { individual: { type: 'Practitioner' } },
      { individual: { reference: 'Practitioner/1/_history/2' } },
      { individual: { reference: 'https://example.org/fhir/PractitionerRole/9' } },
      { individual: { reference: 'Practitioner/1', type: 'RelatedPerson' } },
    ],
    period: { start: '2020-03-05', end: '2020-03-01' },
  },
  {
    resourceType: 'Bundle',
    id: 'document',
    type: 'document',
    identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0c3151bd' },
    timestamp: '2021-01-01T00:00:00Z',
    entry: [
      {
        resource: {
          resourceType: 'Composition',
          id: 'c',
          status: 'final',
          type: { text: 'doc' },
          date: '2021',
          title: 't',
          author: [],
        },
      },
      { resource: { resourceType: 'Patient', id: 'p' } },
    ],
  },
  {
    resourceType: 'Observation',
    id: 'malformed',
    status: ['final'],
    code: 'not a CodeableConcept',
    subject: [{ reference: 'Patient/p1' }],
    effectiveDateTime: 20200101,
    valueQuantity: { value: '5', code: 5 },
    category: { coding: { code: 'x' } },
  },
  {
    resourceType: 'RiskAssessment',
    id: 'decimals',
    status: 'final',
    subject: patientRef,
    prediction: [
      { probabilityDecimal: 0.1 },
      { probabilityDecimal: 0.1000000001 },
      { probabilityRange: { low: { value: 1e-7 }, high: { value: 1e21 } } },
    ],
  },
  {
    resourceType: 'PractitionerRole',
    id: 'telecoms',
    telecom: [
      { system: 'phone', value: '1' },
      { system: 'phone', value: '1' },
      { system: 'email', value: '1' },
    ],
  },
] as unknown as Resource[];
