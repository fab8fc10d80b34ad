import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaConfig, loadConfig } from '@continuum/config';
import { createKafka, ensureTopics, KafkaPublisher, type OutgoingMessage } from '@continuum/messaging';
import { createLogger } from '@continuum/observability';
import { FhirStore } from '@continuum/store';
import { testEnv, uniqueSuffix } from '@continuum/testing';
import { IngestModule } from '../ingest.module';

/**
 * The ingest app wired as in production, on topics and a consumer group of its own, so each test owns its data
 * and tests can run side by side on the shared Kafka and Postgres.
 */
export class IngestTestHarness {
  readonly suffix = uniqueSuffix();
  readonly topics = {
    fhir: `test.fhir.${this.suffix}`,
    hl7: `test.hl7.${this.suffix}`,
    dlq: `test.dlq.${this.suffix}`,
  };
  readonly env: Record<string, string> = {
    ...testEnv,
    KAFKA_TOPIC_FHIR_INBOUND: this.topics.fhir,
    KAFKA_TOPIC_HL7V2_INBOUND: this.topics.hl7,
    KAFKA_TOPIC_INGEST_DLQ: this.topics.dlq,
    INGEST_CONSUMER_GROUP: `test-ingest-${this.suffix}`,
    INGEST_METRICS_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
  };
  readonly kafka = createKafka(
    loadConfig(KafkaConfig, this.env),
    createLogger('ingest-test', 'error'),
    'test',
  );
  readonly publisher = new KafkaPublisher(this.kafka);
  private app?: INestApplicationContext;

  async start(): Promise<void> {
    await ensureTopics(
      this.kafka,
      Object.values(this.topics).map((name) => ({
        name,
        partitions: 2,
        description: 'test',
        config: { 'max.message.bytes': '10485760' },
      })),
    );
    Object.assign(process.env, this.env);
    this.app = await NestFactory.createApplicationContext(IngestModule, {
      logger: false,
      abortOnError: false,
    });
    this.app.enableShutdownHooks();
    await this.app.init();
  }

  get store(): FhirStore {
    if (!this.app) throw new Error('harness not started');
    return this.app.get(FhirStore);
  }

  publishFhir(messages: OutgoingMessage[]): Promise<void> {
    return this.publisher.publish(this.topics.fhir, messages);
  }

  publishHl7(messages: OutgoingMessage[]): Promise<void> {
    return this.publisher.publish(this.topics.hl7, messages);
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.publisher.disconnect();
  }
}
