import { MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ApiAppConfig, ContinuumConfigModule } from '@continuum/config';
import { APP_LOGGER, ObservabilityModule } from '@continuum/observability';
import { StoreModule } from '@continuum/store';
import { FhirModule } from './fhir/fhir.module';
import { CorrelationMiddleware } from './http/correlation.middleware';
import { FhirExceptionFilter } from './http/fhir-exception.filter';
import { httpLoggingParams } from './http/http-logging';
import { HttpMetricsMiddleware } from './http/http-metrics.middleware';
import { OpsModule } from './ops/ops.module';
import { ApiSecurityModule } from './security/api-security.module';
import { SmartModule } from './smart/smart.module';

@Module({
  imports: [
    ContinuumConfigModule.forRoot(ApiAppConfig),
    ObservabilityModule.forApp('api'),
    LoggerModule.forRootAsync({ useFactory: httpLoggingParams, inject: [APP_LOGGER] }),
    StoreModule.forRoot({ applicationName: 'continuum-api', access: 'secured' }),
    OpsModule,
    // before FhirModule: its routes would otherwise take fhir/.well-known/smart-configuration as a read
    SmartModule,
    FhirModule.forRoot(),
    ApiSecurityModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: FhirExceptionFilter }],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CorrelationMiddleware, HttpMetricsMiddleware).forRoutes('*path');
  }
}
