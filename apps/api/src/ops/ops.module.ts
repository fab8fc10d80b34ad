import { Module } from '@nestjs/common';
import type { Sql } from 'postgres';
import { KafkaHealthCheck } from '@continuum/messaging';
import { HEALTH_CHECKS } from '@continuum/observability';
import { ElasticsearchHealthCheck } from '@continuum/search';
import { PostgresHealthCheck, SQL } from '@continuum/store';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/** Operations surface: /health (readiness of Postgres, Kafka and Elasticsearch, each reported), /health/live, /metrics. */
@Module({
  controllers: [HealthController, MetricsController],
  providers: [
    {
      provide: HEALTH_CHECKS,
      useFactory: (sql: Sql, kafka: KafkaHealthCheck, elasticsearch: ElasticsearchHealthCheck) => [
        new PostgresHealthCheck(sql),
        kafka,
        elasticsearch,
      ],
      inject: [SQL, KafkaHealthCheck, ElasticsearchHealthCheck],
    },
  ],
})
export class OpsModule {}
