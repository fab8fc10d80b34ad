import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaConfig, loadConfig } from '@continuum/config';
import { createKafka, KafkaPublisher, type OutgoingMessage } from '@continuum/messaging';
import { createLogger } from '@continuum/observability';
import { FhirStore } from '@continuum/store';
import { isolatedIngest, testEnv, uniqueSuffix } from '@continuum/testing';
import { IngestModule } from '../ingest.module';

/**
 * The ingest app wired as in production, on topics and a consumer group of its own, so each test owns its data
 * and tests can run side by side on the shared Kafka and Postgres.
 */
export class IngestTestHarness {
  readonly suffix = uniqueSuffix();
  private readonly isolation = isolatedIngest('test', this.suffix);
  readonly topics = this.isolation.topics;
  readonly env: Record<string, string> = {
    ...testEnv,
    ...this.isolation.env,
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
    await this.isolation.createTopics(this.kafka, 2);
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
