import { ApiLimitsConfig, AuthConfig, HttpConfig } from '@continuum/config';
import {
  AuditLog,
  ConsentQueries,
  FhirStore,
  PatientMergeService,
  PersonQueries,
  PrivacyAlerts,
  ResourceStore,
  RestrictedPersonQueries,
  SQL,
} from '@continuum/store';
import { type BeforeApplicationShutdown, type DynamicModule, Global, Module } from '@nestjs/common';
import type postgres from 'postgres';
import { AccessGuardrails } from './access/access.guardrails';
import { PersonScope } from './access/person-scope';
import { RestrictedPeople } from './access/restricted-people';
import { SecuredResourceStore } from './access/secured-resource.store';
import { auditedPatients } from './audit/audit-event.builder';
import { AuditEventSearch } from './audit/audit-event.search';
import { AuditRecorder } from './audit/audit.recorder';
import { ConsentGate } from './consent/consent.gate';
import { PatientMergeAdministration } from './identity/patient-merge.service';
import { JwtVerifier } from './jwt/jwt.verifier';
import { PrivacyOffice } from './privacy/privacy-office';

const EXPORTS = [
  JwtVerifier,
  AuditRecorder,
  PersonScope,
  ResourceStore,
  PatientMergeAdministration,
  PrivacyOffice,
];

/**
 * The secured data-access layer for an app that serves people: token validation, the app's `ResourceStore` bound
 * to the secured door (scopes, compartment, consent, audit), and the audit trail. Needs
 * `StoreModule.forRoot({ access: 'secured' })` and the app's AuthConfig/HttpConfig (ApiLimitsConfig optional).
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
          useFactory: (log: AuditLog, consents: ConsentQueries) =>
            new AuditRecorder(log, options.observer, async (refs) => [
              ...new Set([...(await consents.compartments(refs)).values()].flat()),
            ]),
          inject: [AuditLog, ConsentQueries],
        },
        {
          provide: PrivacyOffice,
          useFactory: (sql: postgres.Sql, log: AuditLog) =>
            new PrivacyOffice(new PrivacyAlerts(sql, log), options.observer),
          inject: [SQL, AuditLog],
        },
        {
          provide: PersonScope,
          useFactory: (persons: PersonQueries) => new PersonScope(persons),
          inject: [PersonQueries],
        },
        {
          provide: ConsentGate,
          useFactory: (consents: ConsentQueries) => new ConsentGate(consents),
          inject: [ConsentQueries],
        },
        {
          provide: AccessGuardrails,
          useFactory: (consent: ConsentGate, http: HttpConfig) =>
            new AccessGuardrails(consent, http.fhirBaseUrl.replace(/\/$/, '')),
          inject: [ConsentGate, HttpConfig],
        },
        {
          provide: PatientMergeAdministration,
          useFactory: (merges: PatientMergeService, guardrails: AccessGuardrails, audit: AuditRecorder) =>
            new PatientMergeAdministration(merges, guardrails, audit),
          inject: [PatientMergeService, AccessGuardrails, AuditRecorder],
        },
        {
          provide: RestrictedPeople,
          useFactory: (queries: RestrictedPersonQueries, http: HttpConfig) =>
            new RestrictedPeople(queries, http.fhirBaseUrl.replace(/\/$/, '')),
          inject: [RestrictedPersonQueries, HttpConfig],
        },
        {
          provide: AuditEventSearch,
          useFactory: (sql: postgres.Sql) => new AuditEventSearch(sql),
          inject: [SQL],
        },
        {
          provide: ResourceStore,
          useFactory: (
            store: FhirStore,
            guardrails: AccessGuardrails,
            consent: ConsentGate,
            consents: ConsentQueries,
            audit: AuditRecorder,
            auditEvents: AuditEventSearch,
            restricted: RestrictedPeople,
            limits?: ApiLimitsConfig,
          ) =>
            new SecuredResourceStore(store, guardrails, consent, consents, audit, auditEvents, restricted, {
              maxBundleEntries: limits?.maxBundleEntries ?? 1000,
              expensiveSearchesPerCaller: limits?.expensiveSearchesPerCaller ?? 4,
            }),
          inject: [
            FhirStore,
            AccessGuardrails,
            ConsentGate,
            ConsentQueries,
            AuditRecorder,
            AuditEventSearch,
            RestrictedPeople,
            { token: ApiLimitsConfig, optional: true },
          ],
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
