import { aNationalDataOptOut } from '@continuum/fhir/consent/testing/consent-builders';
import { viewDefinitionAsBasic, type ViewDefinition } from '@continuum/fhir';
import { testTokens } from '@continuum/security/testing/test-tokens';
import { uniqueSuffix } from '@continuum/testing';
import { tableFromIPC } from 'apache-arrow';
import type { OperationOutcome, Parameters, Resource } from 'fhir/r4';
import { readParquet } from 'parquet-wasm';
import { startApi, type RunningApi } from './support/api-app';

describe('ViewDefinition/$run: stored or inline views, streamed as json, ndjson, csv or parquet, through the secured door', () => {
  const tokens = testTokens();
  const tag = uniqueSuffix();
  const system = `urn:continuum:e2e-views:${tag}`;
  const url = `https://continuum.example/views/demographics-${tag}`;
  let api: RunningApi;
  let admin: string;
  let direct: string;
  let research: string;
  const patients: string[] = [];

  const view = (version: string, family = 'family'): ViewDefinition => ({
    resourceType: 'ViewDefinition',
    url,
    version,
    status: 'active',
    resource: 'Patient',
    constant: [{ name: 'system', valueUri: system }],
    where: [{ path: 'identifier.where(system = %system).exists()' }],
    select: [
      {
        column: [
          { name: 'id', path: 'getResourceKey()' },
          { name: 'number', path: 'identifier.where(system = %system).value.first()' },
          { name: family, path: 'name.family.first()' },
          { name: 'born', path: 'birthDate' },
        ],
      },
    ],
  });
  const http = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${api.base}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/fhir+json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      text: await response.text(),
    };
  };
  const create = async (resource: Resource) => {
    const answer = await http('POST', resource.resourceType, admin, resource);
    if (answer.status !== 201) throw new Error(answer.text);
    return (JSON.parse(answer.text) as Resource).id as string;
  };
  const csv = (query: string, token = direct) => http('GET', `ViewDefinition/$run?${query}`, token);

  /** Just before this spec's Patients: `_since` keeps a run to them, not the whole shared test database. */
  let createdFrom = '';

  beforeAll(async () => {
    Object.assign(process.env, tokens.env, {
      RATE_LIMIT_SYSTEM_PER_MINUTE: '1000000',
      RATE_LIMIT_SYSTEM_BURST: '100000',
    });
    api = await startApi();
    admin = await tokens.issue({ scope: 'system/*.cruds', clientId: 'etl' });
    direct = await tokens.issue({ scope: 'system/*.rs', clientId: 'views-direct', purposeOfUse: 'TREAT' });
    research = await tokens.issue({
      scope: 'system/*.rs',
      clientId: 'views-research',
      purposeOfUse: 'HRESCH',
    });
    createdFrom = new Date(Date.now() - 1000).toISOString();
    const people = [
      { family: 'Ng, "Ada"', born: '1970-01-02' },
      { family: 'Okafor', born: '1981-12-31' },
      { family: 'Opted-Out', born: '1990-06-15' },
    ];
    for (const [i, person] of people.entries())
      patients.push(
        await create({
          resourceType: 'Patient',
          identifier: [{ system, value: `n${i}` }],
          name: [{ family: person.family }],
          birthDate: person.born,
        } as Resource),
      );
    await create(aNationalDataOptOut(patients[2]));
    await create(viewDefinitionAsBasic(view('1.0.0', 'surname')));
    await create(viewDefinitionAsBasic(view('2.0.0')));
  });
  afterAll(() => api.close());

  it('runs a stored view by url|version as RFC 4180 CSV, rows in key order, byte-identical on a second run', async () => {
    const first = await csv(`viewReference=${encodeURIComponent(`${url}|1.0.0`)}&_format=csv`);
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^text\/csv/);
    expect(first.text).toBe(
      [
        'id,number,surname,born',
        `${patients[0]},n0,"Ng, ""Ada""",1970-01-02`,
        `${patients[1]},n1,Okafor,1981-12-31`,
        `${patients[2]},n2,Opted-Out,1990-06-15`,
        '',
      ].join('\r\n'),
    );
    const second = await csv(`viewReference=${encodeURIComponent(`${url}|1.0.0`)}&_format=csv`);
    expect(second.text).toBe(first.text);
  });

  it('runs it as Parquet (typed columns, the same rows as the CSV), byte-identical on a second run', async () => {
    const parquet = async () => {
      const response = await fetch(
        `${api.base}/ViewDefinition/$run?viewReference=${encodeURIComponent(`${url}|1.0.0`)}&_format=parquet`,
        { headers: { authorization: `Bearer ${direct}` } },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/vnd.apache.parquet');
      return new Uint8Array(await response.arrayBuffer());
    };
    const bytes = await parquet();
    const table = tableFromIPC(readParquet(bytes).intoIPCStream());
    expect(table.toArray().map((row) => row.toJSON())).toEqual([
      { id: patients[0], number: 'n0', surname: 'Ng, "Ada"', born: '1970-01-02' },
      { id: patients[1], number: 'n1', surname: 'Okafor', born: '1981-12-31' },
      { id: patients[2], number: 'n2', surname: 'Opted-Out', born: '1990-06-15' },
    ]);
    expect(Buffer.from(await parquet()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('takes the highest active version of a bare url, and honours header=false and _limit', async () => {
    const answer = await csv(
      `viewReference=${encodeURIComponent(url)}&_format=text/csv&header=false&_limit=2`,
    );
    expect(answer.text.split('\r\n')).toEqual([
      `${patients[0]},n0,"Ng, ""Ada""",1970-01-02`,
      `${patients[1]},n1,Okafor,1981-12-31`,
      '',
    ]);
  });

  it('leaves out a person who opted out of secondary use for a research purpose, not for direct care', async () => {
    const reference = `viewReference=${encodeURIComponent(`${url}|2.0.0`)}&_format=ndjson&_since=${encodeURIComponent(createdFrom)}`;
    const forResearch = (await csv(reference, research)).text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(forResearch.map((row) => row.number)).toEqual(['n0', 'n1']);
    const forCare = (await csv(reference, direct)).text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(forCare.map((row) => row.number)).toEqual(['n0', 'n1', 'n2']);
  });

  it('confines the rows to a patient', async () => {
    const answer = await csv(
      `viewReference=${encodeURIComponent(`${url}|2.0.0`)}&patient=Patient/${patients[1]}`,
    );
    expect(JSON.parse(answer.text)).toEqual([
      { id: patients[1], number: 'n1', family: 'Okafor', born: '1981-12-31' },
    ]);
  });

  it("confines the rows to a Group's members, and to resources changed since an instant", async () => {
    const group = await create({
      resourceType: 'Group',
      type: 'person',
      actual: true,
      member: [
        { entity: { reference: `Patient/${patients[0]}` } },
        { entity: { reference: `Patient/${patients[1]}` } },
      ],
    } as Resource);
    const reference = `viewReference=${encodeURIComponent(`${url}|2.0.0`)}&_format=ndjson`;
    const members = (await csv(`${reference}&group=${group}`)).text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(members.map((row) => row.number)).toEqual(['n0', 'n1']);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await csv(`${reference}&_since=${encodeURIComponent(future)}`)).text).toBe('');
  });

  it('runs an inline view over inline resources (POST Parameters)', async () => {
    const body: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'viewResource', resource: view('inline') as unknown as Parameters },
        {
          name: 'resource',
          resource: { resourceType: 'Patient', id: 'x1', identifier: [{ system, value: 'q' }] },
        },
        { name: 'resource', resource: { resourceType: 'Patient', id: 'x2' } },
      ],
    };
    const answer = await http('POST', 'ViewDefinition/$run', direct, body);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual([{ id: 'x1', number: 'q', family: null, born: null }]);
  });

  it('refuses an invalid view with a 422 OperationOutcome naming the path', async () => {
    const bad = { ...view('bad'), select: [{ column: [{ name: 'bad name', path: 'id' }] }] };
    const answer = await http('POST', 'ViewDefinition/$run', direct, {
      resourceType: 'Parameters',
      parameter: [{ name: 'viewResource', resource: bad }],
    });
    expect(answer.status).toBe(422);
    const outcome = JSON.parse(answer.text) as OperationOutcome;
    expect(outcome.issue[0].expression).toEqual(['select[0].column[0].name']);
  });

  it('refuses an unknown format or parameter with a 400, and an unknown view with a 404', async () => {
    expect((await csv(`viewReference=${encodeURIComponent(url)}&_format=xml`)).status).toBe(406);
    expect((await csv(`viewReference=${encodeURIComponent(url)}&colour=blue`)).status).toBe(400);
    expect((await csv(`viewReference=${encodeURIComponent(`${url}-none`)}`)).status).toBe(404);
  });
});
