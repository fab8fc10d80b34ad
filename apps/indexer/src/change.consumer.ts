import { BatchConsumer, type ConsumedMessage } from '@continuum/messaging';
import type { Logger } from '@continuum/observability';
import {
  parseChangeEvent,
  type ChangeEvent,
  type ChangeIndexer,
  type IndexingMetrics,
} from '@continuum/search';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';

export interface ChangeConsumerOptions {
  groupId: string;
  topic: string;
  maxBatchMessages: number;
}

/**
 * The indexer's member of the `fhir.changes` consumer group: each chunk of events goes to the ChangeIndexer, and
 * its offsets are committed only once the documents are written and searchable. An Elasticsearch or Postgres
 * fault makes the chunk fail and be retried with backoff (nothing is committed meanwhile); an unreadable event is
 * logged, counted and skipped, so it cannot block its partition.
 */
export class ChangeConsumer {
  private readonly consumer: BatchConsumer;

  constructor(
    kafka: Kafka,
    private readonly indexer: ChangeIndexer,
    options: ChangeConsumerOptions,
    private readonly logger: Logger,
    private readonly metrics: IndexingMetrics,
    registry?: Registry,
  ) {
    this.consumer = new BatchConsumer(
      kafka,
      {
        groupId: options.groupId,
        topics: [options.topic],
        maxBatchMessages: options.maxBatchMessages,
        retry: { initialMs: 250, maxMs: 10_000 },
        registry,
        handle: (messages) => this.handle(messages),
      },
      logger,
    );
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  private async handle(messages: ConsumedMessage[]): Promise<void> {
    const events: ChangeEvent[] = [];
    for (const message of messages) {
      const event = message.value ? parseChangeEvent(message.value.toString('utf8')) : undefined;
      if (event) events.push(event);
      else {
        this.metrics.failures.inc({ reason: 'unreadable-event' });
        this.logger.error(
          { topic: message.topic, partition: message.partition, offset: message.offset },
          'skipping an unreadable change event',
        );
      }
    }
    await this.indexer.index(events);
  }
}
