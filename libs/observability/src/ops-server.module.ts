import {
  DynamicModule,
  Inject,
  type InjectionToken,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { HealthCheck } from './health';
import { HEALTH_CHECKS, METRICS_REGISTRY, APP_LOGGER } from './observability.module';
import { startOpsServer } from './ops-server';
import type { Logger } from './logger';

const OPS_PORT = Symbol('OPS_PORT');

@Injectable()
class OpsServerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;

  constructor(
    @Inject(OPS_PORT) private readonly port: number,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = await startOpsServer({ port: this.port, registry: this.registry, checks: this.checks });
    this.logger.info({ port: this.port }, 'metrics and health listening');
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Serves /metrics and /health for an app that is not an HTTP server otherwise (ingest, indexer). */
@Module({})
export class OpsServerModule {
  /**
   * portConfig: the config section class that carries `port` (e.g. IngestMetricsConfig);
   * checks: how to build the app's readiness checks from providers it can see (global ones, e.g. SQL, KAFKA).
   */
  static forRoot(options: {
    portConfig: abstract new () => { port: number };
    checks: { useFactory: (...dependencies: never[]) => HealthCheck[]; inject: InjectionToken[] };
  }): DynamicModule {
    return {
      module: OpsServerModule,
      providers: [
        {
          provide: OPS_PORT,
          useFactory: (config: { port: number }) => config.port,
          inject: [options.portConfig],
        },
        { provide: HEALTH_CHECKS, useFactory: options.checks.useFactory, inject: options.checks.inject },
        OpsServerLifecycle,
      ],
    };
  }
}
