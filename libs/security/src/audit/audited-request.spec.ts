import { describeRequest, type RequestInput } from './audited-request';

const request = (input: Partial<RequestInput>): RequestInput => ({
  method: 'GET',
  path: '',
  params: [],
  baseUrl: 'https://ehr.example/fhir',
  ...input,
});

describe('what an audit row names about a request, from the request alone', () => {
  it.each([
    ['GET', 'Patient/p1', 'read'],
    ['GET', 'Patient/p1/_history/2', 'vread'],
    ['GET', 'Patient/p1/_history', 'history-instance'],
    ['GET', 'Patient/_history', 'history-type'],
    ['GET', '_history', 'history-system'],
    ['GET', 'Observation', 'search-type'],
    ['POST', 'Observation/_search', 'search-type'],
    ['GET', '', 'search-system'],
    ['POST', '_search', 'search-system'],
    ['GET', 'Patient/p1/$everything', 'operation'],
    ['POST', 'Observation', 'create'],
    ['PUT', 'Observation/o1', 'update'],
    ['PUT', 'Observation', 'update'],
    ['PATCH', 'Observation/o1', 'patch'],
    ['DELETE', 'Observation/o1', 'delete'],
    ['POST', '', 'transaction'],
    ['OPTIONS', 'Patient', 'operation'],
  ])('%s /%s is %s', (method, path, interaction) => {
    expect(describeRequest(request({ method, path })).interaction).toBe(interaction);
  });

  it('a batch is told from a transaction by its body', () => {
    const body = { resourceType: 'Bundle', type: 'batch', entry: [] };
    expect(describeRequest(request({ method: 'POST', body })).interaction).toBe('batch');
  });

  it('names the patient of a Patient path, and the instance of any other', () => {
    expect(describeRequest(request({ path: 'Patient/p1/$everything' }))).toMatchObject({
      patientIds: ['p1'],
    });
    expect(describeRequest(request({ path: '/Observation/o1/_history/3' }))).toEqual({
      interaction: 'vread',
      patientIds: [],
      instance: { resourceType: 'Observation', id: 'o1' },
    });
  });

  it('names the patients of search and criteria parameters, whatever their form', () => {
    const params: [string, string][] = [
      ['patient', 'p1,Patient/p2'],
      ['subject', 'Patient/p3'],
      ['subject:Patient', 'p4'],
      ['performer', 'https://ehr.example/fhir/Patient/p5'],
      ['performer', 'https://elsewhere.example/fhir/Patient/p6'],
      ['subject:Patient.name', 'smith'],
      ['code', 'http://loinc.org|1234-5'],
    ];
    expect(describeRequest(request({ path: 'Observation', params })).patientIds).toEqual([
      'p1',
      'p2',
      'p3',
      'p4',
      'p5',
    ]);
    expect(describeRequest(request({ path: 'Patient', params: [['_id', 'p7,p8']] })).patientIds).toEqual([
      'p7',
      'p8',
    ]);
  });

  it('names the patients whose compartments a body’s resources lie in, bundle entries’ URLs included', () => {
    const observation = { resourceType: 'Observation', subject: { reference: 'Patient/p1' } };
    expect(
      describeRequest(request({ method: 'POST', path: 'Observation', body: observation })).patientIds,
    ).toEqual(['p1']);
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: observation, request: { method: 'POST', url: 'Observation' } },
        { request: { method: 'DELETE', url: 'Patient/p2' } },
        { request: { method: 'DELETE', url: 'Observation?patient=p3' } },
      ],
    };
    expect(describeRequest(request({ method: 'POST', body: bundle })).patientIds).toEqual(['p1', 'p2', 'p3']);
  });

  it('a refused body is not parsed, only scanned for literal Patient references', () => {
    const refusedBody = `{"subject":{"reference":"Patient/p1"},"__proto__":{},"x":"https://ehr.example/fhir/Patient/p2","y":"NotPatient/p3"${'['.repeat(5000)}`;
    expect(describeRequest(request({ method: 'POST', path: 'Observation', refusedBody })).patientIds).toEqual(
      ['p1', 'p2'],
    );
  });

  it('hostile input names nobody and never throws', () => {
    const hostile = [
      request({ path: 'Patient/%00' }),
      request({ path: 'Patient/%E0%A4%A' }),
      request({
        path: 'Observation',
        params: [
          ['patient', 'a\u0000b'],
          ['subject', 'Patient/\ud800'],
        ],
      }),
      request({ method: 'POST', path: 'Observation', body: { resourceType: 'Observation', subject: 7 } }),
      request({
        method: 'POST',
        body: { resourceType: 'Bundle', entry: [null, 3, { request: { url: {} } }] },
      }),
      request({ method: 'POST', path: 'Patient', body: { resourceType: 'constructor' } }),
    ];
    for (const input of hostile) expect(describeRequest(input).patientIds).toEqual([]);
  });
});
