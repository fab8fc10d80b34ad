import { aNationalDataOptOut } from '@continuum/fhir/consent/testing/consent-builders';
import { type ViewDefinition, viewDefinitionAsBasic } from '@continuum/fhir';
import type { Basic, OperationOutcome, Parameters, ParametersParameter, Patient } from 'fhir/r4';
import { type ExportStack, startExportStack } from './support/export-stack';
import { fhirHttp } from './support/fhir-http';

interface Manifest {
  transactionTime: string;
  requiresAccessToken: true;
  output: { type: string; url: string; count: number }[];
}

/**
 * `ViewDefinition/$viewdefinition-export` through the real API and exporter app: refused at kick-off with an
 * OperationOutcome naming the problem; accepted with 202 and a status URL polled like `$export`; each view one file
 * in the manifest, downloaded with the kick-off client's token only; a secondary-use export leaves the opted-out
 * person out; a stored view exported by id.
 */
describe('$viewdefinition-export over HTTP', () => {
  let stack: ExportStack;
  let http: ReturnType<typeof fhirHttp>;
  let token: string;
  const run = `ve${Date.now().toString(36)}`;
  // only this run's patients, whatever else the shared test database holds
  const patientView: ViewDefinition = {
    resourceType: 'ViewDefinition',
    name: 'run_patients',
    status: 'active',
    resource: 'Patient',
    where: [{ path: `name.family.first() = '${run}'` }],
    select: [
      {
        column: [
          { name: 'id', path: 'getResourceKey()' },
          { name: 'given', path: 'name.given.first()' },
        ],
      },
    ],
  };
  const inline = (view: ViewDefinition): ParametersParameter => ({
    name: 'view',
    part: [{ name: 'viewResource', resource: view as never }],
  });
  const body = (...parameter: ParametersParameter[]): Parameters => ({ resourceType: 'Parameters', parameter });

  /** Polls the status URL until the manifest is there. */
  const manifestOf = async (statusUrl: string, bearer = token): Promise<Manifest> => {
    for (let polls = 0; polls < 120; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const answer = await http<Manifest>('GET', statusUrl, { headers: { authorization: `Bearer ${bearer}` } });
      if (answer.status === 200) return answer.body as Manifest;
      expect(answer.status).toBe(202);
      expect(answer.headers.get('x-progress')).toBeTruthy();
    }
    throw new Error(`${statusUrl} did not complete`);
  };
  const download = async (url: string, bearer = token) => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${bearer}` } });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  beforeAll(async () => {
    stack = await startExportStack();
    token = await stack.issue({ scope: 'system/*.cruds', clientId: 'view-export-e2e', purposeOfUse: 'TREAT' });
    http = fhirHttp(stack.api.base, { authorization: `Bearer ${token}` });
    for (const given of ['Ann', 'Bob', 'Cat']) {
      const patient: Patient = { resourceType: 'Patient', id: `${run}-${given}`, name: [{ family: run, given: [given] }] };
      expect((await http('PUT', `Patient/${patient.id}`, { body: patient })).status).toBe(201);
    }
    expect((await http('POST', 'Consent', { body: aNationalDataOptOut(`${run}-Cat`) })).status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses a bad request at kick-off with an OperationOutcome naming the problem', async () => {
    const unknown = await http<OperationOutcome>('POST', 'ViewDefinition/$viewdefinition-export', {
      body: body(inline(patientView), { name: '_type', valueString: 'Patient' }),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body?.issue[0].diagnostics).toContain("'_type'");
    const invalid = await http<OperationOutcome>('POST', 'ViewDefinition/$viewdefinition-export', {
      body: body(inline({ ...patientView, select: [{ column: [{ name: 'no good', path: 'id' }] }] })),
    });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('content-location')).toBeNull();
  });

  it('exports a view as CSV through the exporter, downloadable by the kick-off client only', async () => {
    const accepted = await http<OperationOutcome>('POST', 'ViewDefinition/$viewdefinition-export', {
      body: body(inline(patientView), { name: 'clientTrackingId', valueString: run }),
    });
    expect(accepted.status).toBe(202);
    const statusUrl = accepted.headers.get('content-location') as string;
    expect(statusUrl).toMatch(/\/\$export-status\/[0-9a-f-]{36}$/);
    const manifest = await manifestOf(statusUrl);
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.output).toEqual([{ type: 'run_patients', url: expect.stringMatching(/run_patients\.csv$/), count: 3 }]);
    const file = await download(manifest.output[0].url);
    expect(file.status).toBe(200);
    expect(file.type).toMatch(/^text\/csv/);
    expect(file.text).toBe(`id,given\r\n${run}-Ann,Ann\r\n${run}-Bob,Bob\r\n${run}-Cat,Cat\r\n`);
    const other = await stack.issue({ scope: 'system/*.rs', clientId: 'someone-else' });
    expect((await download(manifest.output[0].url, other)).status).toBe(403);
  }, 240_000);

  it('leaves the opted-out person out of a secondary-use export of a stored view, exported by id', async () => {
    const stored = await http<Basic>('POST', 'Basic', {
      body: viewDefinitionAsBasic({ ...patientView, url: `https://continuum.example/views/${run}`, version: '1' }),
    });
    expect(stored.status).toBe(201);
    const research = await stack.issue({ scope: 'system/*.rs', clientId: 'view-export-hoperat', purposeOfUse: 'HOPERAT' });
    const accepted = await http<OperationOutcome>('POST', `ViewDefinition/${stored.body?.id}/$viewdefinition-export`, {
      body: body({ name: '_format', valueCode: 'ndjson' }),
      headers: { authorization: `Bearer ${research}` },
    });
    expect(accepted.status).toBe(202);
    const manifest = await manifestOf(accepted.headers.get('content-location') as string, research);
    expect(manifest.output.map((entry) => [entry.type, entry.count])).toEqual([['run_patients', 2]]);
    const rows = (await download(manifest.output[0].url, research)).text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { given: string });
    expect(rows.map((row) => row.given)).toEqual(['Ann', 'Bob']);
  }, 240_000);
});
