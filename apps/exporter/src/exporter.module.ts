import { ContinuumConfigModule, ExporterAppConfig, ExporterMetricsConfig } from '@continuum/config';
import { extractJobRunners } from '@continuum/commissioning';
import { ExportModule } from '@continuum/export';
import { ObservabilityModule, OpsServerModule } from '@continuum/observability';
import { SecurityModule } from '@continuum/security';
import { PostgresHealthCheck, StoreModule } from '@continuum/store';
import { type DynamicModule, Module } from '@nestjs/common';

/**
 * The exporter process: workers that claim FHIR Bulk Data export jobs and write their files (docs/bulk-export.md),
 * and commissioning extract jobs (`$extract`, docs/commissioning.md).
 * It serves people's data, so it reads only through the secured door (SecurityModule binds ResourceStore), each job
 * in the access scope of the client that started it. Stateless: scale by replicas sharing the export directory.
 * `env` is for tests.
 */
@Module({})
export class ExporterModule {
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    return {
      module: ExporterModule,
      imports: [
        ContinuumConfigModule.forRoot(ExporterAppConfig, env),
        ObservabilityModule.forApp('exporter'),
        OpsServerModule.forRoot({
          portConfig: ExporterMetricsConfig,
          checks: { useFactory: (postgres: PostgresHealthCheck) => [postgres], inject: [PostgresHealthCheck] },
        }),
        StoreModule.forRoot({ applicationName: 'continuum-exporter', access: 'secured' }),
        SecurityModule.forRoot({ observer: 'continuum-exporter' }),
        ExportModule.forWorker({ providers: [extractJobRunners] }),
      ],
    };
  }
}
