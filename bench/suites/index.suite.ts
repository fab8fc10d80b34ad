import type { Resource } from 'fhir/r4';
import { ChangeConsumer } from '../../apps/indexer/src/change.consumer';
import { OutboxRelay } from '../../apps/indexer/src/outbox.relay';
import { DatabaseConfig, ElasticsearchConfig, KafkaConfig, loadConfig } from '@continuum/config';
import { CommunityGenerator } from '@continuum/generator';
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
import { LatencyRecorder, percentile } from '../measure/latency.recorder';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

const WRITE_BATCH = 250;
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

let pipeline: Pipeline | undefined;
let warmupResources: Resource[] = [];
let measuredResources: Resource[] = [];
let backlogResources: Resource[] = [];

/** Generated records of whole people (≈825 resources each) until `count` resources, after the directory. */
function generate(seed: string, count: number): Resource[] {
  const generator = new CommunityGenerator({ seed, formats: [] });
  const resources = generator.directory().resources.map((r) => JSON.parse(r.json) as Resource);
  for (let person = 0; resources.length < count; person++) {
    resources.push(...generator.person(person).resources.map((r) => JSON.parse(r.json) as Resource));
  }
  return resources.slice(0, count);
}

async function writeAll(store: FhirStore, resources: Resource[]): Promise<void> {
  for (let i = 0; i < resources.length; i += WRITE_BATCH) {
    await store.upsertMany(resources.slice(i, i + WRITE_BATCH).map((resource) => ({ resource })));
  }
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
  await writeAll(store, backlogResources);
  const target = indexer.indexed + backlogResources.length;
  const start = Date.now();
  relay.start();
  await waitUntilIndexed(indexer, target);
  const seconds = (Date.now() - start) / 1000;
  ctx.log(
    `backlog catch-up: ${backlogResources.length} changes relayed and indexed at ${Math.round(backlogResources.length / seconds)} resources/s`,
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
    warmupResources = generate(`bench-index-warmup-${suffix}`, 1000);
    measuredResources = generate(`bench-index-${ctx.options.extra.seed ?? 'bench'}`, ctx.options.resources);
    backlogResources = generate(`bench-index-backlog-${suffix}`, Math.min(5000, ctx.options.resources));
    ctx.log(
      `${measuredResources.length} resources to write and index (${warmupResources.length} for warm-up)`,
    );

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
    await writeAll(store, warmupResources);
    await waitUntilIndexed(indexer, warmupResources.length);
  },

  async measure(ctx: SuiteContext): Promise<RunResult> {
    const { store, indexer } = pipeline!;
    const already = indexer.indexed;
    indexer.lags = [];
    const start = Date.now();
    await writeAll(store, measuredResources);
    const writeSeconds = (Date.now() - start) / 1000;
    await waitUntilIndexed(indexer, already + measuredResources.length);
    const elapsedMs = indexer.lastSearchableAt - start;
    const lag = [...indexer.lags].sort((a, b) => a - b);
    ctx.log(
      `writes: ${Math.round(measuredResources.length / writeSeconds)} resources/s; commit-to-searchable lag ms` +
        ` p50 ${Math.round(percentile(lag, 50))}, p95 ${Math.round(percentile(lag, 95))}, max ${Math.round(percentile(lag, 100))}`,
    );
    await logBacklogCatchUp(ctx);
    const latency = new LatencyRecorder();
    for (const ms of lag) latency.record(ms);
    return {
      label: 'index (commit-to-searchable lag)',
      operations: measuredResources.length,
      unit: 'resources',
      elapsedMs,
      latency,
    };
  },

  async reference(): Promise<RunResult> {
    const { client, sql } = pipeline!;
    const reader = new ResourceSourceReader(sql);
    const documents = [];
    for (let i = 0; i < measuredResources.length; i += 5000) {
      const refs = measuredResources
        .slice(i, i + 5000)
        .map((resource) => ({ resourceType: resource.resourceType, id: resource.id! }));
      documents.push(...(await reader.loadCurrent(refs)).map(documentOf));
    }
    // Named into the patient family's pattern, so it gets the same committed mappings (common + patient fields).
    const index = `${pipeline!.indices.naming.prefix}-patient-v1-reference`;
    await client.indices.create({ index });
    const latency = new LatencyRecorder();
    const start = performance.now();
    for (let i = 0; i < documents.length; i += BULK_DOCUMENTS) {
      const slice = documents.slice(i, i + BULK_DOCUMENTS);
      await latency.time(() =>
        client.bulk({
          operations: slice.flatMap((document) => [
            { index: { _index: index, _id: `${document.resourceType}/${document.id}` } },
            document,
          ]),
        }),
      );
    }
    await client.indices.refresh({ index });
    return {
      label: 'raw _bulk (reference)',
      operations: documents.length,
      unit: 'resources',
      elapsedMs: performance.now() - start,
      latency,
    };
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
