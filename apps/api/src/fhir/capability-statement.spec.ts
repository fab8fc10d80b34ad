import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCapabilityStatement } from './capability-statement.builder';
import { FHIR_CONTROLLERS } from './fhir-controllers';
import { fhirRouteTable } from './fhir-route.table';
import { buildOpenApi } from './openapi.builder';

const SNAPSHOT = join(__dirname, 'capability-statement.snapshot.json');
const BASE = 'http://127.0.0.1:8080/fhir';

describe('CapabilityStatement', () => {
  const routes = fhirRouteTable(FHIR_CONTROLLERS);
  const statement = buildCapabilityStatement(routes, BASE);

  it('matches the committed snapshot (UPDATE_CAPABILITY_SNAPSHOT=1 to accept a change)', () => {
    if (process.env.UPDATE_CAPABILITY_SNAPSHOT === '1')
      writeFileSync(SNAPSHOT, `${JSON.stringify(statement, null, 2)}\n`);
    // Compared as JSON, so reformatting the file (prettier) is not a change.
    expect(statement).toEqual(JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
  });

  it('declares every interaction the controllers route, conditional ones included', () => {
    const patient = statement.rest?.[0].resource?.find((r) => r.type === 'Patient');
    expect(patient?.interaction?.map((i) => i.code)).toEqual([
      'read',
      'vread',
      'update',
      'patch',
      'delete',
      'history-instance',
      'history-type',
      'create',
      'search-type',
    ]);
    expect(patient).toMatchObject({
      conditionalCreate: true,
      conditionalUpdate: true,
      conditionalDelete: 'single',
    });
    expect(patient?.operation?.map((o) => o.name).sort()).toEqual([
      'everything',
      'export',
      'identity-history',
      'ihe-pix',
      'link',
      'match',
      'merge',
      'review-accept',
      'review-queue',
      'review-reject',
      'summary',
      'unlink',
      'unmerge',
    ]);
    expect(statement.rest?.[0].resource?.find((r) => r.type === 'Group')?.operation?.map((o) => o.name)).toEqual([
      'export',
    ]);
    expect(statement.rest?.[0].operation).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }),
      ]),
    );
    expect(statement.rest?.[0].interaction?.map((i) => i.code)).toEqual([
      'transaction',
      'batch',
      'search-system',
      'history-system',
    ]);
  });

  it('lists search parameters from the registry, common ones once at rest level', () => {
    const observation = statement.rest?.[0].resource?.find((r) => r.type === 'Observation');
    expect(observation?.searchParam?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['code', 'date', 'patient']),
    );
    expect(observation?.searchParam?.some((p) => p.name.startsWith('_'))).toBe(false);
    expect(statement.rest?.[0].searchParam?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['_id', '_lastUpdated']),
    );
  });

  it('is described for OpenAPI from the same routes', () => {
    const openApi = buildOpenApi(routes, BASE);
    expect(Object.keys(openApi.paths)).toEqual(
      expect.arrayContaining([
        '/metadata',
        '/{type}',
        '/{type}/{id}',
        '/{type}/{id}/_history/{versionId}',
        '/Patient/{id}/$everything',
        '/Patient/$match',
        '/Patient/$ihe-pix',
        '/Patient/{id}/$identity-history',
      ]),
    );
    expect(openApi.paths['/{type}/{id}'].put.parameters.map((p) => p.name)).toContain('If-Match');
  });
});
