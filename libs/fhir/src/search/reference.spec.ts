import { parseReference } from './reference';

describe('parseReference', () => {
  const base = 'https://fhir.example.nhs.uk/R4/';
  it.each([
    ['Patient/123', undefined, { type: 'Patient', id: '123', external: false }],
    ['Patient/123/_history/4', undefined, { type: 'Patient', id: '123', external: false }],
    ['https://fhir.example.nhs.uk/R4/Patient/123', base, { type: 'Patient', id: '123', external: false }],
    [
      'https://other.org/fhir/Patient/123',
      base,
      { type: 'Patient', id: 'https://other.org/fhir/Patient/123', external: true },
    ],
    [
      'urn:uuid:9e2f7a3b-94df-4b3d-bee2-360881649fa5',
      base,
      { type: undefined, id: 'urn:uuid:9e2f7a3b-94df-4b3d-bee2-360881649fa5', external: true },
    ],
    ['Nonsense/123', undefined, { type: undefined, id: 'Nonsense/123', external: true }],
  ])('%s', (reference, baseUrl, expected) => expect(parseReference(reference, baseUrl)).toEqual(expected));

  it('has no target for contained references', () => expect(parseReference('#med1')).toBeUndefined());
  it('takes the type of a URL-less reference from Reference.type', () =>
    expect(parseReference('urn:uuid:1', undefined, 'Patient')).toEqual({
      type: 'Patient',
      id: 'urn:uuid:1',
      external: true,
    }));
});
