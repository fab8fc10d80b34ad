import { DynamicModule, Global, Module } from '@nestjs/common';
import { LogConfig } from '@continuum/config';
import { createLogger } from './logger';
import { createMetricsRegistry } from './metrics';

/** Injection tokens for the process-wide logger and metrics registry. */
export const APP_LOGGER = Symbol('APP_LOGGER');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
/** The readiness checks an app reports on /health (each app lists the dependencies it really uses). */
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

@Global()
@Module({})
export class ObservabilityModule {
  static forApp(app: string): DynamicModule {
    const providers = [
      {
        provide: APP_LOGGER,
        useFactory: (log: LogConfig) => createLogger(app, log.level),
        inject: [LogConfig],
      },
      { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(app) },
    ];
    return { module: ObservabilityModule, providers, exports: providers };
  }
}
