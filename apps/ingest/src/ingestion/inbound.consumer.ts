import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { IngestConfig, KafkaConfig } from '@continuum/config';
import { BatchConsumer, KAFKA, type ConsumedMessage } from '@continuum/messaging';
import { APP_LOGGER, METRICS_REGISTRY, type Logger } from '@continuum/observability';
import { FhirMessageTranslator } from './fhir-message.translator';
import { Hl7v2MessageTranslator } from './hl7v2-message.translator';
import { IngestionService } from './ingestion.service';
import type { MessageTranslator } from './translation';

/**
 * The ingest app's Kafka edge: one consumer-group member reading the inbound topics and handing each chunk to the
 * IngestionService with the topic's translator. Thin on purpose; the logic lives in the service.
 */
@Injectable()
export class InboundConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: BatchConsumer;
  private readonly translators: Map<string, MessageTranslator>;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    kafkaConfig: KafkaConfig,
    ingestConfig: IngestConfig,
    fhir: FhirMessageTranslator,
    hl7v2: Hl7v2MessageTranslator,
    private readonly ingestion: IngestionService,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.translators = new Map<string, MessageTranslator>([
      [kafkaConfig.topics.fhirInbound, fhir],
      [kafkaConfig.topics.hl7v2Inbound, hl7v2],
    ]);
    this.consumer = new BatchConsumer(
      kafka,
      {
        groupId: ingestConfig.consumerGroup,
        topics: [...this.translators.keys()],
        maxBatchMessages: ingestConfig.maxBatchMessages,
        partitionsConcurrently: ingestConfig.partitionsConcurrently,
        registry,
        handle: (messages) => this.handle(messages),
      },
      logger,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
    this.logger.info({ topics: [...this.translators.keys()] }, 'ingest consumer started');
  }

  /** SIGTERM: stop fetching, let the chunk in hand finish and commit, leave the group; pools close after this. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    this.logger.info('ingest consumer stopped');
  }

  private handle(messages: ConsumedMessage[]): Promise<void> {
    const translator = this.translators.get(messages[0].topic);
    if (!translator) throw new Error(`no translator for topic ${messages[0].topic}`);
    return this.ingestion.ingest(messages, translator);
  }
}
