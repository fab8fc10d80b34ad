import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ContinuumConfigModule, IngestAppConfig, IngestMetricsConfig } from '@continuum/config';
import { KafkaHealthCheck, MessagingModule } from '@continuum/messaging';
import { APP_LOGGER, ObservabilityModule, OpsServerModule, type Logger } from '@continuum/observability';
import { PostgresHealthCheck, StoreModule } from '@continuum/store';
import { IdentityStoreModule } from '@continuum/store/identity';
import { IngestionModule } from './ingestion/ingestion.module';

@Module({
  imports: [
    ContinuumConfigModule.forRoot(IngestAppConfig),
    ObservabilityModule.forApp('ingest'),
    LoggerModule.forRootAsync({
      useFactory: (logger: Logger) => ({ pinoHttp: { logger } }),
      inject: [APP_LOGGER],
    }),
    StoreModule.forRoot({ applicationName: 'continuum-ingest', access: 'unrestricted' }),
    IdentityStoreModule.forRoot(),
    MessagingModule,
    OpsServerModule.forRoot({
      portConfig: IngestMetricsConfig,
      checks: {
        useFactory: (postgres: PostgresHealthCheck, kafka: KafkaHealthCheck) => [postgres, kafka],
        inject: [PostgresHealthCheck, KafkaHealthCheck],
      },
    }),
    IngestionModule,
  ],
})
export class IngestModule {}
