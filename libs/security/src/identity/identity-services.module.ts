import { ResourceStore } from '@continuum/store';
import { BlockIndex, IdentityLinks, IdentityStoreModule } from '@continuum/store/identity';
import { type DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditRecorder } from '../audit/audit.recorder';
import { IdentityAdministration } from './identity-administration.service';
import { PatientIdentifierCrossReference } from './patient-identifier-cross-reference.service';
import { PatientMatchService } from './patient-match.service';

/**
 * The master patient index served to people (`@continuum/security/identity`): `$match`, PIXm and identity
 * administration, each reading records through the app's secured ResourceStore and auditing through its
 * AuditRecorder (both from SecurityModule, which must be imported too). The identity tables come from
 * IdentityStoreModule (TypeORM, its own small pool); an app serving people reaches them only through these services.
 */
@Module({})
export class IdentityServicesModule {
  static forRoot(): DynamicModule {
    return {
      module: IdentityServicesModule,
      imports: [IdentityStoreModule.forRoot()],
      providers: [
        {
          provide: PatientMatchService,
          useFactory: (store: ResourceStore, blocks: BlockIndex, dataSource: DataSource) =>
            new PatientMatchService(store, blocks, dataSource),
          inject: [ResourceStore, BlockIndex, getDataSourceToken()],
        },
        {
          provide: PatientIdentifierCrossReference,
          useFactory: (store: ResourceStore) => new PatientIdentifierCrossReference(store),
          inject: [ResourceStore],
        },
        {
          provide: IdentityAdministration,
          useFactory: (links: IdentityLinks, store: ResourceStore, audit: AuditRecorder) =>
            new IdentityAdministration(links, store, audit),
          inject: [IdentityLinks, ResourceStore, AuditRecorder],
        },
      ],
      exports: [PatientMatchService, PatientIdentifierCrossReference, IdentityAdministration],
    };
  }
}
