import { ContinuumConfigModule, HttpConfig, PortalAppConfig } from '@continuum/config';
import { APP_LOGGER, HEALTH_CHECKS, type Logger, ObservabilityModule } from '@continuum/observability';
import { PersonFinder, SecurityModule } from '@continuum/security';
import { PatientCandidates, PatientCandidatesModule } from '@continuum/search';
import { PostgresHealthCheck, ResourceStore, StoreModule } from '@continuum/store';
import { LaunchStoreModule } from '@continuum/store/launch';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { FindController } from './find/find.controller';
import { PatientFinder } from './find/patient-finder';
import { HealthController } from './http/health.controller';
import { HomeController } from './http/home.controller';
import { PortalExceptionFilter } from './http/portal-exception.filter';
import { LaunchController } from './launch/launch.controller';
import { LaunchService } from './launch/launch.service';
import { LaunchRefusalPage } from './launch/launch-refusal.page';
import { SmartLaunchController } from './launch/smart-launch.controller';
import { SmartLaunchService } from './launch/smart-launch.service';
import { SmartLaunchStates } from './launch/smart-launch.state';
import { PrivacyController } from './privacy/privacy.controller';
import { RecordAccessLog } from './privacy/record-access-log';
import { PersonRecordLoader } from './record/person-record.loader';
import { RecordController } from './record/record.controller';
import { RecordViewService } from './record/record-view.service';
import { SensitiveDisclosure } from './record/sensitive-disclosure.service';
import { AccessScopeInterceptor } from './session/access-scope.interceptor';
import { PortalSessions } from './session/portal-session';
import { SessionGuard } from './session/session.guard';

/**
 * The clinician portal: the record reached only through the secured door (StoreModule `secured` + SecurityModule),
 * a signed session per user, and the launch ledger's control table.
 */
@Module({
  imports: [
    ContinuumConfigModule.forRoot(PortalAppConfig),
    ObservabilityModule.forApp('portal'),
    // structured JSON logs; no access log lines (paths and query strings can carry tokens and identifiers)
    LoggerModule.forRootAsync({
      useFactory: (logger: Logger) => ({ pinoHttp: { logger, autoLogging: false } }),
      inject: [APP_LOGGER],
    }),
    StoreModule.forRoot({ applicationName: 'continuum-portal', access: 'secured' }),
    SecurityModule.forRoot({ observer: 'continuum-portal' }),
    LaunchStoreModule.forRoot(),
    PatientCandidatesModule,
  ],
  controllers: [
    HomeController,
    LaunchController,
    SmartLaunchController,
    FindController,
    RecordController,
    PrivacyController,
    HealthController,
  ],
  providers: [
    PortalSessions,
    {
      provide: PersonFinder,
      useFactory: (candidates: PatientCandidates, store: ResourceStore, http: HttpConfig) =>
        new PersonFinder(candidates, store, http.fhirBaseUrl.replace(/\/$/, '')),
      inject: [PatientCandidates, ResourceStore, HttpConfig],
    },
    PatientFinder,
    LaunchService,
    LaunchRefusalPage,
    SmartLaunchService,
    SmartLaunchStates,
    PersonRecordLoader,
    RecordViewService,
    SensitiveDisclosure,
    RecordAccessLog,
    {
      provide: HEALTH_CHECKS,
      useFactory: (postgres: PostgresHealthCheck) => [postgres],
      inject: [PostgresHealthCheck],
    },
    { provide: APP_GUARD, useClass: SessionGuard },
    { provide: APP_INTERCEPTOR, useClass: AccessScopeInterceptor },
    { provide: APP_FILTER, useClass: PortalExceptionFilter },
  ],
})
export class PortalModule {}
