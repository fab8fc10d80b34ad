import { buildSearchDocument, buildTombstoneDocument, type SearchDocument } from '@continuum/fhir';
import type { Patient } from 'fhir/r4';
import { ElasticsearchConfig, loadConfig } from '@continuum/config';
import { testEnv, uniqueSuffix } from '@continuum/testing';
import { createElasticsearchClient } from '../elasticsearch-client';
import { BulkWriter } from './bulk.writer';
import { SearchIndexManager } from './search-index.manager';
import { SearchIndexNaming } from './search-index.naming';

describe('external-versioned bulk writes', () => {
  const client = createElasticsearchClient(loadConfig(ElasticsearchConfig, testEnv));
  const indices = new SearchIndexManager(client, new SearchIndexNaming(`test-bulk-${uniqueSuffix()}`));
  const writer = new BulkWriter(client, { maxAttempts: 2, initialBackoffMs: 10 });
  let target: string;

  const facts = (id: string, versionId: number) => ({
    resourceType: 'Patient',
    id,
    versionId,
    lastUpdated: new Date(),
    sourceSystem: null,
  });
  const patient = (id: string, versionId: number, family: string): SearchDocument =>
    buildSearchDocument({ resourceType: 'Patient', id, name: [{ family }] } as Patient, facts(id, versionId));
  const stored = async (id: string) => {
    const response = await client.get<SearchDocument>({
      index: indices.naming.readAlias('patient'),
      id: `Patient/${id}`,
    });
    return {
      version: response._version,
      family: response._source?.family,
      deleted: response._source?.deleted,
    };
  };

  beforeAll(async () => {
    await indices.ensureReady();
    [target] = (await indices.writeTargets()).get('patient')!;
  });
  afterAll(async () => {
    await indices.deleteAll();
    await client.close();
  });

  it('keeps the newer version when an older one arrives late, and counts the late one as done', async () => {
    await writer.write([{ target, document: patient('late', 3, 'Newer') }]);
    const outcome = await writer.write([{ target, document: patient('late', 2, 'Older') }], {
      refresh: true,
    });
    expect(outcome).toMatchObject({ written: 0, conflicts: 1, failures: [] });
    expect(await stored('late')).toEqual({ version: 3, family: ['newer'], deleted: false });
  });

  it('keeps a delete as a versioned tombstone that an older index request cannot undo, however late', async () => {
    await writer.write([{ target, document: patient('gone', 1, 'Here') }]);
    await writer.write([{ target, document: buildTombstoneDocument(facts('gone', 2)) }]);
    const late = await writer.write([{ target, document: patient('gone', 1, 'Here') }], { refresh: true });
    expect(late.conflicts).toBe(1);
    expect(await stored('gone')).toMatchObject({ version: 2, deleted: true });
  });

  it('reports a document the mapping refuses without holding up the others in the same bulk', async () => {
    const bad = { ...patient('bad', 1, 'Bad'), unexpected: 'field' } as SearchDocument;
    const outcome = await writer.write(
      [
        { target, document: bad },
        { target, document: patient('good', 1, 'Good') },
      ],
      { refresh: true },
    );
    expect(outcome.written).toBe(1);
    expect(outcome.failures).toEqual([
      expect.objectContaining({ ref: 'Patient/bad', status: 400, type: 'strict_dynamic_mapping_exception' }),
    ]);
    expect(await stored('good')).toMatchObject({ version: 1, family: ['good'] });
  });
});
