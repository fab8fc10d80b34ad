import { join } from 'node:path';
import { ChangeConsumer } from '../../apps/indexer/src/change.consumer';
import { OutboxRelay } from '../../apps/indexer/src/outbox.relay';
import { DatabaseConfig, ElasticsearchConfig, KafkaConfig, loadConfig } from '@continuum/config';
import { createKafka, ensureTopics, KafkaPublisher } from '@continuum/messaging';
import { createLogger } from '@continuum/observability';
import {
  BulkWriter,
  ChangeIndexer,
  createElasticsearchClient,
  documentOf,
  IndexingMetrics,
  SearchIndexManager,
  SearchIndexNaming,
  type ChangeEvent,
  type ChangeIndexResult,
  type ElasticsearchClient,
} from '@continuum/search';
import {
  createFhirStore,
  createSql,
  OutboxRepository,
  ResourceSourceReader,
  type FhirStore,
} from '@continuum/store';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import type { Kafka } from 'kafkajs';
import type postgres from 'postgres';
import { resourceBatches, writeCommunityFile, writeConcurrently } from '../measure/community-data';
import { LatencyRecorder, percentile } from '../measure/latency.recorder';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

const WRITE_BATCH = 250;
const WRITE_CONCURRENCY = 2;
const BULK_DOCUMENTS = 1000;

/** Records, for every change event, the time from its commit to the moment its bulk write was searchable. */
class TimedChangeIndexer extends ChangeIndexer {
  /** Lag samples in ms since the last reset (the measured run starts with a reset). */
  lags: number[] = [];
  indexed = 0;
  lastSearchableAt = 0;

  override async index(events: ChangeEvent[]): Promise<ChangeIndexResult> {
    const result = await super.index(events);
    this.lastSearchableAt = Date.now();
    for (const event of events) this.lags.push(this.lastSearchableAt - Date.parse(event.changedAt));
    this.indexed += events.length;
    return result;
  }
}

interface Pipeline {
  sql: postgres.Sql;
  store: FhirStore;
  client: ElasticsearchClient;
  indices: SearchIndexManager;
  kafka: Kafka;
  publisher: KafkaPublisher;
  relay: OutboxRelay;
  consumer: ChangeConsumer;
  indexer: TimedChangeIndexer;
  topic: string;
  dropDatabase: () => Promise<void>;
}

/** Generated community data on disk (NDJSON, flat memory at a million resources) and its size. */
interface DataFile {
  path: string;
  resources: number;
}

let pipeline: Pipeline | undefined;
let warmupData: DataFile;
let measuredData: DataFile;
let backlogData: DataFile;

async function generate(ctx: SuiteContext, name: string, seed: string, count: number): Promise<DataFile> {
  const path = join(ctx.workDir, `${name}.ndjson`);
  const { lines } = await writeCommunityFile(path, seed, count);
  return { path, resources: lines };
}

/**
 * Writes through the store's bulk path, batches in flight as the ingest app's partitions write them. Returns the
 * versions written, each one change to index: a copy identical to what is stored (the community's shared
 * organisations and practitioners recur across people and data sets) writes no version and raises no change.
 */
async function writeAll(store: FhirStore, data: DataFile): Promise<number> {
  let versions = 0;
  await writeConcurrently(resourceBatches(data.path, WRITE_BATCH), WRITE_CONCURRENCY, async (batch) => {
    const results = await store.upsertMany(batch.map((resource) => ({ resource })));
    versions += results.filter((r) => r.outcome === 'created' || r.outcome === 'updated').length;
  });
  return versions;
}

async function waitUntilIndexed(
  indexer: TimedChangeIndexer,
  count: number,
  timeoutMs = 600_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (indexer.indexed < count) {
    if (Date.now() > deadline) throw new Error(`only ${indexer.indexed} of ${count} changes indexed in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The indexer's own capacity, not bounded by the write rate: changes accumulate in the outbox with the relay
 * stopped, then relay and consumer drain them.
 */
async function logBacklogCatchUp(ctx: SuiteContext): Promise<void> {
  const { relay, store, indexer } = pipeline!;
  await relay.stop();
  const changes = await writeAll(store, backlogData);
  const target = indexer.indexed + changes;
  const start = Date.now();
  relay.start();
  await waitUntilIndexed(indexer, target);
  const seconds = (Date.now() - start) / 1000;
  ctx.log(
    `backlog catch-up: ${changes} changes relayed and indexed at ${Math.round(changes / seconds)} resources/s`,
  );
}

/**
 * Indexing under sustained writes: the ingestion bulk path writes generated records to a scratch database as fast
 * as it can, while the indexer's own relay and consumer (in process, own topic, group and index prefix) carry the
 * changes to Elasticsearch. Throughput: resources indexed per second from the first write to the last bulk being
 * searchable. Latency: commit-to-searchable lag of every change. Reference: the same documents bulk-loaded
 * straight into a fresh index (no Postgres, no Kafka, no versions, one refresh at the end).
 */
export const indexSuite: BenchSuite = {
  name: 'index',
  description:
    'outbox → fhir.changes → Elasticsearch under sustained writes vs raw _bulk of the same documents',
  defaultResources: 20_000,

  async prepare(ctx: SuiteContext) {
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    warmupData = await generate(ctx, 'warmup', `bench-index-warmup-${suffix}`, 1000);
    measuredData = await generate(
      ctx,
      'measured',
      `bench-index-${ctx.options.extra.seed ?? 'bench'}`,
      ctx.options.resources,
    );
    backlogData = await generate(
      ctx,
      'backlog',
      `bench-index-backlog-${suffix}`,
      Math.min(5000, ctx.options.resources),
    );
    ctx.log(`${measuredData.resources} resources to write and index (${warmupData.resources} for warm-up)`);

    const database = await createScratchDatabase(
      loadConfig(DatabaseConfig).url,
      `continuum_bench_index_${suffix}`,
    );
    const sql = createSql(database.config, { applicationName: 'bench-index' });
    const logger = createLogger('bench-index', 'warn');
    const kafka = createKafka(loadConfig(KafkaConfig), logger, 'bench-index');
    const topic = `bench.changes.${suffix}`;
    await ensureTopics(kafka, [{ name: topic, partitions: 6, description: 'bench change feed' }]);
    const client = createElasticsearchClient(loadConfig(ElasticsearchConfig));
    const indices = new SearchIndexManager(client, new SearchIndexNaming(`bench-index-${suffix}`));
    await indices.ensureReady();
    const metrics = new IndexingMetrics();
    const indexer = new TimedChangeIndexer(
      new ResourceSourceReader(sql),
      indices,
      new BulkWriter(client),
      logger,
      metrics,
    );
    const publisher = new KafkaPublisher(kafka);
    const relay = new OutboxRelay(
      new OutboxRepository(sql),
      publisher,
      { topic, batchSize: 500, idlePollMs: 50, retry: { initialMs: 250, maxMs: 5_000 } },
      logger,
    );
    const consumer = new ChangeConsumer(
      kafka,
      indexer,
      { groupId: `bench-indexer-${suffix}`, topic, maxBatchMessages: 1000 },
      logger,
      metrics,
    );
    pipeline = {
      sql,
      store: createFhirStore(sql),
      client,
      indices,
      kafka,
      publisher,
      relay,
      consumer,
      indexer,
      topic,
      dropDatabase: database.drop,
    };
    const pid = await sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    ctx.memory.watch('postgres backend', pid[0].pid);
  },

  async warmup() {
    const { relay, consumer, store, indexer } = pipeline!;
    relay.start();
    await consumer.start();
    await waitUntilIndexed(indexer, await writeAll(store, warmupData));
  },

  async measure(ctx: SuiteContext): Promise<RunResult> {
    const { store, indexer } = pipeline!;
    const already = indexer.indexed;
    indexer.lags = [];
    const start = Date.now();
    const changes = await writeAll(store, measuredData);
    const writeSeconds = (Date.now() - start) / 1000;
    await waitUntilIndexed(indexer, already + changes);
    const elapsedMs = indexer.lastSearchableAt - start;
    const lag = [...indexer.lags].sort((a, b) => a - b);
    ctx.log(
      `writes: ${changes} versions of ${measuredData.resources} resources at ${Math.round(measuredData.resources / writeSeconds)} resources/s; commit-to-searchable lag ms` +
        ` p50 ${Math.round(percentile(lag, 50))}, p95 ${Math.round(percentile(lag, 95))}, max ${Math.round(percentile(lag, 100))}`,
    );
    await logBacklogCatchUp(ctx);
    const latency = new LatencyRecorder();
    for (const ms of lag) latency.record(ms);
    return {
      label: 'index (commit-to-searchable lag)',
      operations: changes,
      unit: 'resources',
      elapsedMs,
      latency,
    };
  },

  /** Only the `_bulk` calls and the final refresh are timed; reading the documents back from Postgres is not. */
  async reference(): Promise<RunResult> {
    const { client, sql } = pipeline!;
    const reader = new ResourceSourceReader(sql);
    // Named into the patient family's pattern, so it gets the same committed mappings (common + patient fields).
    const index = `${pipeline!.indices.naming.prefix}-patient-v1-reference`;
    await client.indices.create({ index });
    const latency = new LatencyRecorder();
    let operations = 0;
    let elapsedMs = 0;
    for await (const batch of resourceBatches(measuredData.path, BULK_DOCUMENTS)) {
      const refs = batch.map((resource) => ({ resourceType: resource.resourceType, id: resource.id! }));
      const documents = (await reader.loadCurrent(refs)).map(documentOf);
      const start = performance.now();
      await client.bulk({
        operations: documents.flatMap((document) => [
          { index: { _index: index, _id: `${document.resourceType}/${document.id}` } },
          document,
        ]),
      });
      const ms = performance.now() - start;
      latency.record(ms);
      elapsedMs += ms;
      operations += documents.length;
    }
    const start = performance.now();
    await client.indices.refresh({ index });
    elapsedMs += performance.now() - start;
    return { label: 'raw _bulk (reference)', operations, unit: 'resources', elapsedMs, latency };
  },

  async teardown() {
    if (!pipeline) return;
    const { relay, consumer, publisher, indices, client, sql, kafka, topic, dropDatabase } = pipeline;
    await Promise.allSettled([relay.stop(), consumer.stop()]);
    await publisher.disconnect().catch(() => undefined);
    await indices.deleteAll().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await client.close();
    await sql.end({ timeout: 5 });
    await dropDatabase();
    pipeline = undefined;
  },
};
