import { ElasticsearchConfig, loadConfig } from '@continuum/config';
import { testEnv, uniqueSuffix } from '@continuum/testing';
import { createElasticsearchClient } from './elasticsearch-client';
import { ElasticsearchHealthCheck } from './elasticsearch.health';

describe('Elasticsearch adapter against the real Elasticsearch', () => {
  const client = createElasticsearchClient(loadConfig(ElasticsearchConfig, testEnv));
  const index = `test-foundation-${uniqueSuffix()}`;

  afterAll(async () => {
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.close();
  });

  it('reports the cluster as ready', async () => {
    await expect(new ElasticsearchHealthCheck(client).check()).resolves.toBeUndefined();
  });

  it('indexes a document and finds it by a fuzzy name match and an exact term', async () => {
    await client.indices.create({
      index,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        dynamic: 'strict',
        properties: { family: { type: 'text' }, nhsNumber: { type: 'keyword' } },
      },
    });
    await client.index({
      index,
      id: 'Patient/1',
      document: { family: 'Smyth', nhsNumber: '9000000009' },
      refresh: 'wait_for',
    });

    const fuzzy = await client.search({
      index,
      query: { match: { family: { query: 'smith', fuzziness: 'AUTO' } } },
    });
    expect(fuzzy.hits.hits.map((hit) => hit._id)).toEqual(['Patient/1']);

    const exact = await client.search({ index, query: { term: { nhsNumber: '9000000009' } } });
    expect(exact.hits.hits).toHaveLength(1);
  });
});
