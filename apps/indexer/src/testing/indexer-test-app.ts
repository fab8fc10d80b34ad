import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ElasticsearchConfig, KafkaConfig, loadConfig } from '@continuum/config';
import { KAFKA } from '@continuum/messaging';
import type { Kafka } from 'kafkajs';
import {
  createElasticsearchClient,
  IndexVerifier,
  PatientFinder,
  SearchIndexManager,
  SearchIndexNaming,
  type ElasticsearchClient,
} from '@continuum/search';
import { createFhirStore, createSql, ResourceSourceReader, type FhirStore } from '@continuum/store';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import { TEST_DATABASE_URL, testEnv, uniqueSuffix } from '@continuum/testing';
import type postgres from 'postgres';
import { IndexerModule } from '../indexer.module';

/**
 * The indexer app as it runs in production (relay, Kafka, consumer, Elasticsearch) over a scratch database, with
 * a change topic, consumer group and index prefix of its own, plus a store to write through and the query side.
 */
export interface IndexerTestApp {
  suffix: string;
  store: FhirStore;
  sql: postgres.Sql;
  client: ElasticsearchClient;
  indices: SearchIndexManager;
  finder: PatientFinder;
  verifier: IndexVerifier;
  close(): Promise<void>;
}

export async function startIndexerTestApp(name: string): Promise<IndexerTestApp> {
  const suffix = uniqueSuffix();
  const database = await createScratchDatabase(
    TEST_DATABASE_URL,
    `continuum_test_${name.replace(/-/g, '_')}_${suffix}`,
  );
  const prefix = `test-${name}-${suffix}`;
  const env = {
    ...testEnv,
    DATABASE_URL: database.config.url,
    DATABASE_POOL_SIZE: '6',
    ELASTICSEARCH_INDEX_PREFIX: prefix,
    KAFKA_TOPIC_CHANGES: `test.changes.${suffix}`,
    INDEXER_CONSUMER_GROUP: `test-indexer-${suffix}`,
    INDEXER_METRICS_PORT: '0',
  };
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(IndexerModule.forRoot(env), { logger: ['error'] });
    await app.init();
  } catch (error) {
    await database.drop();
    throw error;
  }
  const sql = createSql(database.config, { applicationName: `test-${name}-writer` });
  const client = createElasticsearchClient(loadConfig(ElasticsearchConfig, env));
  const naming = new SearchIndexNaming(prefix);
  const indices = new SearchIndexManager(client, naming);
  return {
    suffix,
    store: createFhirStore(sql),
    sql,
    client,
    indices,
    finder: new PatientFinder(client, naming),
    verifier: new IndexVerifier(client, new ResourceSourceReader(sql), indices),
    async close() {
      const admin = app.get<Kafka>(KAFKA).admin();
      await app.close();
      await admin.connect();
      await admin
        .deleteTopics({ topics: [loadConfig(KafkaConfig, env).topics.changes] })
        .catch(() => undefined);
      await admin.disconnect();
      await indices.deleteAll().catch(() => undefined);
      await client.close();
      await sql.end({ timeout: 5 });
      await database.drop();
    },
  };
}

/** Polls until `check` returns true; returns the time it took. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
