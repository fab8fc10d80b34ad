import type { Client } from '@elastic/elasticsearch';
import { ElasticsearchConfig, loadConfig } from '@continuum/config';
import { createLogger, type Logger } from '@continuum/observability';
import {
  createFhirStore,
  createSql,
  OutboxRepository,
  ResourceSourceReader,
  type FhirStore,
} from '@continuum/store';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import { TEST_DATABASE_URL, testEnv, uniqueSuffix } from '@continuum/testing';
import type postgres from 'postgres';
import { createElasticsearchClient } from '../elasticsearch-client';
import { BulkWriter } from '../indexing/bulk.writer';
import { changeEventOf } from '../indexing/change-event';
import { ChangeIndexer } from '../indexing/change.indexer';
import { SearchIndexManager } from '../indexing/search-index.manager';
import { SearchIndexNaming } from '../indexing/search-index.naming';

/**
 * What a search integration test owns: a migrated scratch database (its outbox is drained by the test), a store
 * over it, and an index prefix of its own in the real Elasticsearch. `close()` removes all of it.
 */
export interface SearchTestContext {
  suffix: string;
  /** The scratch database's URL (for an app started over it). */
  databaseUrl: string;
  sql: postgres.Sql;
  store: FhirStore;
  outbox: OutboxRepository;
  source: ResourceSourceReader;
  client: Client;
  naming: SearchIndexNaming;
  indices: SearchIndexManager;
  writer: BulkWriter;
  indexer: ChangeIndexer;
  logger: Logger;
  /** Relays every outbox row into the indexer directly (no Kafka), as the indexer app would. */
  drainOutbox(): Promise<number>;
  close(): Promise<void>;
}

export async function openSearchTestContext(name: string): Promise<SearchTestContext> {
  const suffix = uniqueSuffix();
  const database = await createScratchDatabase(
    TEST_DATABASE_URL,
    `continuum_test_${name.replace(/-/g, '_')}_${suffix}`,
  );
  const sql = createSql(database.config, { applicationName: `test-${name}` });
  const client = createElasticsearchClient(loadConfig(ElasticsearchConfig, testEnv));
  const naming = new SearchIndexNaming(`test-${name}-${suffix}`);
  const indices = new SearchIndexManager(client, naming);
  await indices.ensureReady();
  const logger = createLogger(`test-${name}`, testEnv.LOG_LEVEL);
  const source = new ResourceSourceReader(sql);
  const writer = new BulkWriter(client, { maxAttempts: 3, initialBackoffMs: 50 });
  const indexer = new ChangeIndexer(source, indices, writer, logger);
  const outbox = new OutboxRepository(sql);
  return {
    suffix,
    databaseUrl: database.config.url,
    sql,
    store: createFhirStore(sql),
    outbox,
    source,
    client,
    naming,
    indices,
    writer,
    indexer,
    logger,
    async drainOutbox() {
      let total = 0;
      for (let relayed = -1; relayed !== 0; total += relayed) {
        relayed = await outbox.relayBatch(500, async (changes) => {
          await indexer.index(changes.map(changeEventOf));
        });
      }
      return total;
    },
    async close() {
      await indices.deleteAll().catch(() => undefined);
      await client.close();
      await sql.end({ timeout: 5 });
      await database.drop();
    },
  };
}
