import { ExportConfig, HttpConfig } from '@continuum/config';
import { APP_LOGGER, type Logger } from '@continuum/observability';
import { AuditRecorder } from '@continuum/security';
import { ExportJobs, ResourceStore, SQL } from '@continuum/store';
import {
  type DynamicModule,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import type postgres from 'postgres';
import { BulkExportService } from './bulk-export.service';
import { ExportFileStore, FilesystemExportFileStore } from './export-file.store';
import { ExportRunner } from './export.runner';
import type { ExportSettings } from './export-settings';
import { ExportWorker, type JobRunners } from './export.worker';
import { ViewExportJobRunner, ViewExportKickOff } from './view-export';
import { ViewRunService } from './view-run.service';

export const EXPORT_SETTINGS = Symbol('EXPORT_SETTINGS');
/** JobRunners for the other job kinds, provided by the module that owns each (e.g. libs/commissioning). */
export const JOB_RUNNERS = Symbol('JOB_RUNNERS');

export function exportSettingsOf(config: ExportConfig, http: HttpConfig): ExportSettings {
  return {
    baseUrl: http.fhirBaseUrl.replace(/\/$/, ''),
    maxFileBytes: config.maxFileBytes,
    pageSize: config.pageSize,
    retryAfterSeconds: config.retryAfterSeconds,
    expiresAfterSeconds: config.expiresAfterSeconds,
    checkpointEveryMs: config.checkpointEveryMs,
    sliceRows: config.sliceRows,
    maxSlices: config.maxSlices,
    maxAttempts: 5,
  };
}

const shared: Provider[] = [
  { provide: EXPORT_SETTINGS, useFactory: exportSettingsOf, inject: [ExportConfig, HttpConfig] },
  { provide: ExportJobs, useFactory: (sql: postgres.Sql) => new ExportJobs(sql), inject: [SQL] },
  {
    provide: ExportFileStore,
    useFactory: (config: ExportConfig) => new FilesystemExportFileStore(config.directory),
    inject: [ExportConfig],
  },
];

@Injectable()
class ExportWorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly worker: ExportWorker) {}

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  /** Jobs in hand stop at their next page and are released for another replica, before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.stop();
  }
}

/**
 * FHIR Bulk Data export. `forApi()`: kick-off, status, files and cancel (BulkExportService) for the API;
 * `forWorker()`: the job runner and its claim loop and sweeper for the exporter app. Both read the record through
 * the app's `ResourceStore`, which must be the secured door (SecurityModule), and need ExportConfig and HttpConfig.
 */
@Module({})
export class ExportModule {
  static forApi(): DynamicModule {
    return {
      module: ExportModule,
      providers: [
        ...shared,
        {
          provide: BulkExportService,
          useFactory: (
            jobs: ExportJobs,
            files: ExportFileStore,
            store: ResourceStore,
            audit: AuditRecorder,
            settings: ExportSettings,
          ) => new BulkExportService(jobs, files, store, audit, settings),
          inject: [ExportJobs, ExportFileStore, ResourceStore, AuditRecorder, EXPORT_SETTINGS],
        },
        ViewRunService,
        {
          provide: ViewExportKickOff,
          useFactory: (jobs: ExportJobs, audit: AuditRecorder, views: ViewRunService, settings: ExportSettings) =>
            new ViewExportKickOff(jobs, audit, views, settings),
          inject: [ExportJobs, AuditRecorder, ViewRunService, EXPORT_SETTINGS],
        },
      ],
      exports: [BulkExportService, ViewRunService, ViewExportKickOff, ExportJobs, ExportFileStore, EXPORT_SETTINGS],
    };
  }

  /** `more`: modules and providers for other job kinds; one of them provides JOB_RUNNERS. */
  static forWorker(more: Pick<ModuleMetadata, 'imports' | 'providers'> = {}): DynamicModule {
    return {
      module: ExportModule,
      imports: more.imports ?? [],
      providers: [
        ...shared,
        ...(more.providers ?? []),
        {
          provide: ExportRunner,
          useFactory: (store: ResourceStore, jobs: ExportJobs, files: ExportFileStore, settings: ExportSettings) =>
            new ExportRunner(store, jobs, files, settings),
          inject: [ResourceStore, ExportJobs, ExportFileStore, EXPORT_SETTINGS],
        },
        ViewRunService,
        {
          provide: ExportWorker,
          useFactory: (
            jobs: ExportJobs,
            runner: ExportRunner,
            files: ExportFileStore,
            settings: ExportSettings,
            config: ExportConfig,
            logger: Logger,
            views: ViewRunService,
            runners: JobRunners | undefined,
          ) =>
            new ExportWorker(jobs, runner, files, settings, {
              concurrency: config.workerConcurrency,
              idlePollMs: 250,
              sweepEveryMs: 60_000,
            }, logger, { 'view-export': new ViewExportJobRunner(views, jobs, files, settings), ...runners }),
          inject: [
            ExportJobs,
            ExportRunner,
            ExportFileStore,
            EXPORT_SETTINGS,
            ExportConfig,
            APP_LOGGER,
            ViewRunService,
            { token: JOB_RUNNERS, optional: true },
          ],
        },
        ExportWorkerLifecycle,
      ],
      exports: [ExportWorker, ExportJobs],
    };
  }
}

