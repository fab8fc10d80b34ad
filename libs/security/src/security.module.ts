import { ApiLimitsConfig, AuthConfig, HttpConfig } from '@continuum/config';
import { AuditLog, FhirStore, ResourceSearcher, SQL } from '@continuum/store';
import { type BeforeApplicationShutdown, type DynamicModule, Global, Module } from '@nestjs/common';
import type postgres from 'postgres';
import { AccessGuardrails } from './access/access.guardrails';
import { SecuredFhirStore } from './access/secured-fhir.store';
import { SecuredSearcher } from './access/secured.searcher';
import { auditedPatients } from './audit/audit-event.builder';
import { AuditEventSearch } from './audit/audit-event.search';
import { AuditRecorder } from './audit/audit.recorder';
import { ConsentGate } from './consent/consent.gate';
import { ConsentRepository } from './consent/consent.repository';
import { JwtVerifier } from './jwt/jwt.verifier';

const EXPORTS = [JwtVerifier, AuditRecorder, SecuredFhirStore, SecuredSearcher];

/**
 * The secured data-access layer for an app: token validation, the access-checked store and searcher, consent and
 * the audit trail. Needs StoreModule and the app's AuthConfig/HttpConfig (ApiLimitsConfig optional).
 */
@Global()
@Module({})
export class SecurityModule implements BeforeApplicationShutdown {
  constructor(private readonly log: AuditLog) {}

  static forRoot(options: { observer: string }): DynamicModule {
    return {
      module: SecurityModule,
      providers: [
        {
          provide: JwtVerifier,
          useFactory: (auth: AuthConfig) => new JwtVerifier(auth),
          inject: [AuthConfig],
        },
        {
          provide: AuditLog,
          useFactory: (sql: postgres.Sql) => new AuditLog(sql, auditedPatients),
          inject: [SQL],
        },
        {
          provide: AuditRecorder,
          useFactory: (log: AuditLog) => new AuditRecorder(log, options.observer),
          inject: [AuditLog],
        },
        {
          provide: ConsentRepository,
          useFactory: (sql: postgres.Sql) => new ConsentRepository(sql),
          inject: [SQL],
        },
        {
          provide: ConsentGate,
          useFactory: (consents: ConsentRepository) => new ConsentGate(consents),
          inject: [ConsentRepository],
        },
        {
          provide: AccessGuardrails,
          useFactory: (consent: ConsentGate, http: HttpConfig) =>
            new AccessGuardrails(consent, http.fhirBaseUrl.replace(/\/$/, '')),
          inject: [ConsentGate, HttpConfig],
        },
        {
          provide: AuditEventSearch,
          useFactory: (sql: postgres.Sql) => new AuditEventSearch(sql),
          inject: [SQL],
        },
        {
          provide: SecuredFhirStore,
          useFactory: (
            store: FhirStore,
            guardrails: AccessGuardrails,
            consent: ConsentGate,
            audit: AuditRecorder,
            auditEvents: AuditEventSearch,
            limits?: ApiLimitsConfig,
          ) =>
            new SecuredFhirStore(store, guardrails, consent, audit, auditEvents, {
              maxBundleEntries: limits?.maxBundleEntries ?? 1000,
            }),
          inject: [
            FhirStore,
            AccessGuardrails,
            ConsentGate,
            AuditRecorder,
            AuditEventSearch,
            { token: ApiLimitsConfig, optional: true },
          ],
        },
        {
          provide: SecuredSearcher,
          useFactory: (
            sql: postgres.Sql,
            guardrails: AccessGuardrails,
            consent: ConsentGate,
            consents: ConsentRepository,
            auditEvents: AuditEventSearch,
            audit: AuditRecorder,
          ) =>
            new SecuredSearcher(new ResourceSearcher(sql), guardrails, consent, consents, auditEvents, audit),
          inject: [SQL, AccessGuardrails, ConsentGate, ConsentRepository, AuditEventSearch, AuditRecorder],
        },
      ],
      exports: [...EXPORTS, AuditLog],
    };
  }

  /** Audit events still queued are written before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.log.flush();
  }
}
