import { Module } from '@nestjs/common';
import { KafkaHealthCheck } from '@continuum/messaging';
import { HEALTH_CHECKS } from '@continuum/observability';
import { ElasticsearchHealthCheck } from '@continuum/search';
import { PostgresHealthCheck } from '@continuum/store';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/** Operations surface: /health (readiness of Postgres, Kafka and Elasticsearch, each reported), /health/live, /metrics. */
@Module({
  controllers: [HealthController, MetricsController],
  providers: [
    {
      provide: HEALTH_CHECKS,
      useFactory: (
        postgres: PostgresHealthCheck,
        kafka: KafkaHealthCheck,
        elasticsearch: ElasticsearchHealthCheck,
      ) => [postgres, kafka, elasticsearch],
      inject: [PostgresHealthCheck, KafkaHealthCheck, ElasticsearchHealthCheck],
    },
  ],
})
export class OpsModule {}
