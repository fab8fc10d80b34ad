import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { KafkaConfig } from '@continuum/config';
import { APP_LOGGER, type Logger } from '@continuum/observability';
import { createKafka } from './kafka-client';
import { KafkaHealthCheck } from './kafka.health';
import { KafkaPublisher } from './publisher';

export const KAFKA = Symbol('KAFKA');

/** The Kafka client, an idempotent publisher and the readiness check, closed on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: KAFKA,
      useFactory: (config: KafkaConfig, logger: Logger) => createKafka(config, logger),
      inject: [KafkaConfig, APP_LOGGER],
    },
    { provide: KafkaPublisher, useFactory: (kafka: Kafka) => new KafkaPublisher(kafka), inject: [KAFKA] },
    { provide: KafkaHealthCheck, useFactory: (kafka: Kafka) => new KafkaHealthCheck(kafka), inject: [KAFKA] },
  ],
  exports: [KAFKA, KafkaPublisher, KafkaHealthCheck],
})
export class MessagingModule implements OnApplicationShutdown {
  constructor(
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(KafkaHealthCheck) private readonly health: KafkaHealthCheck,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.publisher.disconnect(), this.health.close()]);
  }
}
