import { Module } from '@nestjs/common';
import { HEALTH_CHECKS } from '@continuum/observability';
import { PostgresHealthCheck } from '@continuum/store';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/** Operations surface: /health (readiness: Postgres, the API's one dependency), /health/live, /metrics. */
@Module({
  controllers: [HealthController, MetricsController],
  providers: [
    {
      provide: HEALTH_CHECKS,
      useFactory: (postgres: PostgresHealthCheck) => [postgres],
      inject: [PostgresHealthCheck],
    },
  ],
})
export class OpsModule {}
