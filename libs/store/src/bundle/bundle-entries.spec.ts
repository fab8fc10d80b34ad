import { FhirError } from '@continuum/fhir';
import type { BundleEntry } from 'fhir/r4';
import { parseEntries } from './bundle-entry.parser';
import { atEntry } from './entry-error';

describe('bundle entries', () => {
  it('parses methods, ids, versions, criteria and JSON Patch binaries, stripping our base URL', () => {
    const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/active', value: true }])).toString(
      'base64',
    );
    const entries: BundleEntry[] = [
      { request: { method: 'GET', url: 'https://fhir.example/r4/Patient/1/_history/2' } },
      { request: { method: 'DELETE', url: 'Patient?identifier=x|1' } },
      {
        resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: patch },
        request: { method: 'PATCH', url: 'Patient/1' },
      },
    ];
    const { parsed, problems } = parseEntries(entries, 'https://fhir.example/r4');
    expect(problems).toEqual([]);
    expect(parsed[0]).toMatchObject({ method: 'GET', resourceType: 'Patient', id: '1', versionId: '2' });
    expect(parsed[1]).toMatchObject({ method: 'DELETE', criteria: 'identifier=x|1' });
    expect(parsed[2].patch).toEqual([{ op: 'add', path: '/active', value: true }]);
  });

  it('reports every malformed entry at its index', () => {
    const entries: BundleEntry[] = [
      { request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Patient', id: 'a' }, request: { method: 'PUT', url: 'Patient/b' } },
      { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Observation' } },
      { request: { method: 'GET', url: 'Nope/1' } },
    ];
    const { problems } = parseEntries(entries, undefined);
    expect(problems.map((problem) => problem.expression?.[0])).toEqual(
      [0, 1, 2, 3].map((i) => `Bundle.entry[${i}].request`),
    );
  });

  it('relocates issue expressions into the entry', () => {
    const error = atEntry(
      FhirError.of(422, 'code-invalid', 'bad gender', ['Patient.contact[0].gender']),
      3,
    ) as FhirError;
    expect(error.status).toBe(422);
    expect(error.outcome.issue[0]).toMatchObject({
      expression: ['Bundle.entry[3].resource.contact[0].gender'],
      diagnostics: 'Bundle.entry[3]: bad gender',
    });
    expect(FhirError.of(404, 'not-found', 'x')).not.toBe(atEntry(FhirError.of(404, 'not-found', 'x'), 1));
    const unexpected = new Error('boom');
    expect(atEntry(unexpected, 1)).toBe(unexpected);
    expect(
      (atEntry(FhirError.of(404, 'not-found', 'gone'), 1) as FhirError).outcome.issue[0].expression,
    ).toEqual(['Bundle.entry[1]']);
  });
});
