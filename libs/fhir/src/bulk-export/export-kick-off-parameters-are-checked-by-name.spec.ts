import { FhirError } from '../operation-outcome';
import { kickOffParametersOf, parseExportKickOff } from './export-parameters';

const refusal = (action: () => unknown): FhirError => {
  try {
    action();
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw error;
  }
  throw new Error('expected a 400');
};

describe('$export kick-off parameters', () => {
  it('reads types, window, filters, elements and patients', () => {
    const { parameters, ignored } = parseExportKickOff('patient', [
      ['_type', 'Patient,Condition'],
      ['_since', '2026-01-01T00:00:00Z'],
      ['_until', '2026-06-01T00:00:00.000+01:00'],
      ['_typeFilter', 'Condition?clinical-status=active'],
      ['_elements', 'Patient.name,id'],
      ['patient', 'Patient/abc'],
      ['_outputFormat', 'application/fhir+ndjson'],
    ]);
    expect(ignored).toEqual([]);
    expect(parameters).toEqual({
      level: 'patient',
      types: ['Patient', 'Condition'],
      since: '2026-01-01T00:00:00.000Z',
      until: '2026-05-31T23:00:00.000Z',
      typeFilters: { Condition: ['clinical-status=active'] },
      elements: ['Patient.name', 'id'],
      patients: ['abc'],
    });
  });

  it.each([
    [[['_type', 'Patient,Nonsense']], 'Nonsense'],
    [[['_wat', 'x']], '_wat'],
    [[['includeAssociatedData', 'LatestProvenanceResources']], 'includeAssociatedData'],
    [[['_since', 'yesterday']], '_since'],
    [[['_outputFormat', 'text/csv']], '_outputFormat'],
    [[['_typeFilter', 'Condition?no-such-param=1']], 'no-such-param'],
    [[['_typeFilter', 'Condition?_include=Condition:subject']], '_include'],
    [[['_type', 'Patient'], ['_typeFilter', 'Condition?clinical-status=active']], 'Condition'],
  ] as [string, string][][] | [[string, string][], string][])(
    'refuses %j with a 400 naming %s',
    (params, named) => {
      const error = refusal(() => parseExportKickOff('system', params as [string, string][]));
      expect(error.status).toBe(400);
      expect(error.message).toContain(named);
    },
  );

  it('with lenient handling drops unknown types and parameters and says which', () => {
    const { parameters, ignored } = parseExportKickOff(
      'system',
      [
        ['_type', 'Patient,Nonsense'],
        ['_wat', 'x'],
      ],
      { lenient: true },
    );
    expect(parameters.types).toEqual(['Patient']);
    expect(ignored.join(' ')).toContain('Nonsense');
    expect(ignored.join(' ')).toContain('_wat');
  });

  it('still refuses a malformed value when lenient', () => {
    expect(refusal(() => parseExportKickOff('system', [['_since', 'soon']], { lenient: true })).status).toBe(400);
  });

  it('reads a POST Parameters body', () => {
    expect(
      kickOffParametersOf({
        resourceType: 'Parameters',
        parameter: [
          { name: '_type', valueString: 'Patient' },
          { name: '_since', valueInstant: '2026-01-01T00:00:00Z' },
          { name: 'patient', valueReference: { reference: 'Patient/1' } },
        ],
      }),
    ).toEqual([
      ['_type', 'Patient'],
      ['_since', '2026-01-01T00:00:00Z'],
      ['patient', 'Patient/1'],
    ]);
    expect(refusal(() => kickOffParametersOf({ resourceType: 'Patient' })).status).toBe(400);
  });
});
