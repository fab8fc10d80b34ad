import { AuthConfig, DatabaseConfig } from '@continuum/config';
import { APP_LOGGER, type Logger } from '@continuum/observability';
import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Injectable,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { typeOrmOptions } from '../database/data-source';
import { LaunchStateSweeper } from './launch-state.sweeper';
import { LAUNCH_ENTITIES } from './used-launch-token.entity';
import { SmartLaunches } from './smart-launches.repository';
import { UsedLaunchTokens } from './used-launch-tokens.repository';

/**
 * The launch tables' data source is named: an app that also runs the identity store (the API) has that one as its
 * default, and two unnamed TypeORM roots replace each other.
 */
const LAUNCH_DATA_SOURCE = 'launch';

/** Mean time between sweeps of expired launch state (each replica, jittered). */
const SWEEP_EVERY_MS = 10 * 60_000;
/** Kept past expiry beyond the verifier's clock skew, so a `jti` row always outlives its token. */
const SWEEP_MARGIN_MS = 60_000;

@Injectable()
class LaunchStateSweepLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly sweeper: LaunchStateSweeper) {}

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  /** Before the pool closes: a sweep in progress finishes and returns its connection. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
  }
}

/**
 * The launch control tables (the portal's used launch tokens; the SMART authorization server's launches and codes)
 * through @nestjs/typeorm, on a pool of its own (a launch is one
 * small insert), and their sweeper (LaunchStateSweeper) on every replica. Needs DatabaseConfig and AuthConfig. The schema comes from migrations only (never synchronize).
 */
@Module({})
export class LaunchStoreModule {
  static forRoot(): DynamicModule {
    return {
      module: LaunchStoreModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          name: LAUNCH_DATA_SOURCE,
          useFactory: (config: DatabaseConfig) => ({
            ...typeOrmOptions(config),
            name: LAUNCH_DATA_SOURCE, // here too: shutdown looks the data source up by the options' name
            entities: LAUNCH_ENTITIES,
            migrations: [],
            extra: { max: 2, statement_timeout: config.statementTimeoutMs },
          }),
          inject: [DatabaseConfig],
        }),
      ],
      providers: [
        {
          provide: UsedLaunchTokens,
          useFactory: (dataSource: DataSource) => new UsedLaunchTokens(dataSource),
          inject: [getDataSourceToken(LAUNCH_DATA_SOURCE)],
        },
        {
          provide: SmartLaunches,
          useFactory: (dataSource: DataSource) => new SmartLaunches(dataSource),
          inject: [getDataSourceToken(LAUNCH_DATA_SOURCE)],
        },
        {
          provide: LaunchStateSweeper,
          useFactory: (tokens: UsedLaunchTokens, launches: SmartLaunches, auth: AuthConfig, logger: Logger) =>
            new LaunchStateSweeper(
              tokens,
              launches,
              { graceMs: auth.clockSkewSeconds * 1000 + SWEEP_MARGIN_MS, everyMs: SWEEP_EVERY_MS },
              logger,
            ),
          inject: [UsedLaunchTokens, SmartLaunches, AuthConfig, APP_LOGGER],
        },
        LaunchStateSweepLifecycle,
      ],
      exports: [UsedLaunchTokens, SmartLaunches, LaunchStateSweeper],
    };
  }
}
