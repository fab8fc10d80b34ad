import { DynamicModule, Module } from '@nestjs/common';
import {
  ContinuumConfigModule,
  IndexerAppConfig,
  IndexerConfig,
  IndexerMetricsConfig,
  KafkaConfig,
} from '@continuum/config';
import { KAFKA, KafkaHealthCheck, KafkaPublisher, MessagingModule } from '@continuum/messaging';
import {
  APP_LOGGER,
  METRICS_REGISTRY,
  ObservabilityModule,
  OpsServerModule,
  type Logger,
} from '@continuum/observability';
import {
  BulkWriter,
  ChangeIndexer,
  ELASTICSEARCH,
  ElasticsearchHealthCheck,
  IndexingMetrics,
  SearchIndexManager,
  SearchModule,
  type ElasticsearchClient,
} from '@continuum/search';
import {
  OutboxRepository,
  PostgresHealthCheck,
  ResourceSourceReader,
  SQL,
  StoreModule,
} from '@continuum/store';
import type { Kafka } from 'kafkajs';
import type postgres from 'postgres';
import type { Registry } from 'prom-client';
import { ChangeConsumer } from './change.consumer';
import { IndexerLifecycle } from './indexer.lifecycle';
import { OutboxRelay } from './outbox.relay';

const RELAY_BATCH = 500;
const RELAY_IDLE_POLL_MS = 100;

/**
 * The indexer process: outbox relay (Postgres → fhir.changes) and change consumer (fhir.changes → Elasticsearch),
 * with /metrics and /health (postgres, kafka, elasticsearch) on the ops port. `env` is for tests.
 */
@Module({})
export class IndexerModule {
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    return {
      module: IndexerModule,
      imports: [
        ContinuumConfigModule.forRoot(IndexerAppConfig, env),
        ObservabilityModule.forApp('indexer'),
        OpsServerModule.forRoot({
          portConfig: IndexerMetricsConfig,
          checks: {
            useFactory: (...checks: [PostgresHealthCheck, KafkaHealthCheck, ElasticsearchHealthCheck]) =>
              checks,
            inject: [PostgresHealthCheck, KafkaHealthCheck, ElasticsearchHealthCheck],
          },
        }),
        MessagingModule,
        SearchModule,
        StoreModule.forRoot({ applicationName: 'continuum-indexer', access: 'unrestricted' }),
      ],
      providers: [
        {
          provide: IndexingMetrics,
          useFactory: (registry: Registry) => new IndexingMetrics(registry),
          inject: [METRICS_REGISTRY],
        },
        {
          provide: ChangeIndexer,
          useFactory: (
            source: ResourceSourceReader,
            indices: SearchIndexManager,
            client: ElasticsearchClient,
            logger: Logger,
            metrics: IndexingMetrics,
          ) => new ChangeIndexer(source, indices, new BulkWriter(client), logger, metrics),
          inject: [ResourceSourceReader, SearchIndexManager, ELASTICSEARCH, APP_LOGGER, IndexingMetrics],
        },
        {
          provide: OutboxRelay,
          useFactory: (
            sql: postgres.Sql,
            publisher: KafkaPublisher,
            kafka: KafkaConfig,
            logger: Logger,
            registry: Registry,
          ) =>
            new OutboxRelay(
              new OutboxRepository(sql),
              publisher,
              {
                topic: kafka.topics.changes,
                batchSize: RELAY_BATCH,
                idlePollMs: RELAY_IDLE_POLL_MS,
                retry: { initialMs: 250, maxMs: 10_000 },
              },
              logger,
              registry,
            ),
          inject: [SQL, KafkaPublisher, KafkaConfig, APP_LOGGER, METRICS_REGISTRY],
        },
        {
          provide: ChangeConsumer,
          useFactory: (
            kafka: Kafka,
            indexer: ChangeIndexer,
            config: IndexerConfig,
            topics: KafkaConfig,
            logger: Logger,
            metrics: IndexingMetrics,
            registry: Registry,
          ) =>
            new ChangeConsumer(
              kafka,
              indexer,
              {
                groupId: config.consumerGroup,
                topic: topics.topics.changes,
                maxBatchMessages: config.bulkSize,
              },
              logger,
              metrics,
              registry,
            ),
          inject: [
            KAFKA,
            ChangeIndexer,
            IndexerConfig,
            KafkaConfig,
            APP_LOGGER,
            IndexingMetrics,
            METRICS_REGISTRY,
          ],
        },
        IndexerLifecycle,
      ],
    };
  }
}
