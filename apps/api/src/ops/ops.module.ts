import { Module } from '@nestjs/common';
import { HEALTH_CHECKS, optionalHealthCheck } from '@continuum/observability';
import { ElasticsearchHealthCheck } from '@continuum/search';
import { PostgresHealthCheck } from '@continuum/store';
import { PatientFindingModule } from '../pdqm/patient-finding.module';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/**
 * Operations surface: /health (readiness: Postgres, which the API needs; Elasticsearch, which only patient finding
 * needs, reported degraded when down), /health/live, /metrics.
 */
@Module({
  imports: [PatientFindingModule],
  controllers: [HealthController, MetricsController],
  providers: [
    {
      provide: HEALTH_CHECKS,
      useFactory: (postgres: PostgresHealthCheck, elasticsearch: ElasticsearchHealthCheck) => [
        postgres,
        optionalHealthCheck(elasticsearch),
      ],
      inject: [PostgresHealthCheck, ElasticsearchHealthCheck],
    },
  ],
})
export class OpsModule {}
