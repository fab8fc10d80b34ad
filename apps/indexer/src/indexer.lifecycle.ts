import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { KafkaConfig } from '@continuum/config';
import { ensureTopics, KAFKA, topicSpecs } from '@continuum/messaging';
import { APP_LOGGER, type Logger } from '@continuum/observability';
import { SearchIndexManager } from '@continuum/search';
import type { Kafka } from 'kafkajs';
import { ChangeConsumer } from './change.consumer';
import { OutboxRelay } from './outbox.relay';

/**
 * Starts the two roles once everything is connected (indices and aliases ready, change topic present) and stops
 * them before the pools close: the relay finishes its transaction, the consumer its chunk and commit.
 */
@Injectable()
export class IndexerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(SearchIndexManager) private readonly indices: SearchIndexManager,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KafkaConfig) private readonly kafkaConfig: KafkaConfig,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(ChangeConsumer) private readonly consumer: ChangeConsumer,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.indices.ensureReady();
    const changes = this.kafkaConfig.topics.changes;
    await ensureTopics(
      this.kafka,
      topicSpecs(this.kafkaConfig.topics).filter((spec) => spec.name === changes),
    );
    this.relay.start();
    await this.consumer.start();
    this.logger.info({ topic: changes }, 'indexer relaying the outbox and consuming changes');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.relay.stop(), this.consumer.stop()]);
    this.logger.info('indexer stopped');
  }
}
