import { DatabaseConfig } from '@continuum/config';
import { type DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { typeOrmOptions } from '../database/data-source';
import { BlockIndex } from './block-index';
import { IdentityLinks } from './identity-links.repository';
import { IdentityLinker } from './identity.linker';
import { IDENTITY_ENTITIES } from './identity.entities';

/** TypeORM's own small pool: identity decisions are rare next to resource writes, which use postgres.js. */
const IDENTITY_POOL_SIZE = 4;

/**
 * The master patient index's control tables through @nestjs/typeorm, for the apps that link or review identities
 * (ingest, the API). Needs DatabaseConfig. The schema comes from migrations only (never synchronize).
 */
@Module({})
export class IdentityStoreModule {
  static forRoot(): DynamicModule {
    return {
      module: IdentityStoreModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: (config: DatabaseConfig) => ({
            ...typeOrmOptions(config),
            entities: IDENTITY_ENTITIES,
            migrations: [],
            extra: { max: IDENTITY_POOL_SIZE, statement_timeout: config.statementTimeoutMs },
          }),
          inject: [DatabaseConfig],
        }),
        TypeOrmModule.forFeature(IDENTITY_ENTITIES),
      ],
      providers: [
        {
          provide: IdentityLinks,
          useFactory: (dataSource: DataSource) => new IdentityLinks(dataSource),
          inject: [getDataSourceToken()],
        },
        {
          provide: IdentityLinker,
          useFactory: (dataSource: DataSource, links: IdentityLinks) => new IdentityLinker(dataSource, links),
          inject: [getDataSourceToken(), IdentityLinks],
        },
        { provide: BlockIndex, useValue: new BlockIndex() },
      ],
      exports: [IdentityLinks, IdentityLinker, BlockIndex],
    };
  }
}
