import { DatabaseConfig } from '@continuum/config';
import { type DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { typeOrmOptions } from '../database/data-source';
import { LAUNCH_ENTITIES } from './used-launch-token.entity';
import { SmartLaunches } from './smart-launches.repository';
import { UsedLaunchTokens } from './used-launch-tokens.repository';

/**
 * The launch control tables (the portal's used launch tokens; the SMART authorization server's launches and codes)
 * through @nestjs/typeorm, on a pool of its own (a launch is one
 * small insert). Needs DatabaseConfig. The schema comes from migrations only (never synchronize).
 */
@Module({})
export class LaunchStoreModule {
  static forRoot(): DynamicModule {
    return {
      module: LaunchStoreModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: (config: DatabaseConfig) => ({
            ...typeOrmOptions(config),
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
          inject: [getDataSourceToken()],
        },
        {
          provide: SmartLaunches,
          useFactory: (dataSource: DataSource) => new SmartLaunches(dataSource),
          inject: [getDataSourceToken()],
        },
      ],
      exports: [UsedLaunchTokens, SmartLaunches],
    };
  }
}
