import { readFileSync } from 'node:fs';
import { ExportConfig } from '@continuum/config';
import { EXPORT_SETTINGS, ExportFileStore, type ExportSettings, type JobRunners, JOB_RUNNERS } from '@continuum/export';
import type { KeyRingDocument } from '@continuum/governance';
import { AuditRecorder } from '@continuum/security';
import { AuditLog, ConsentQueries, ExportJobs, PersonQueries, ResourceStore } from '@continuum/store';
import type { Provider } from '@nestjs/common';
import { CommissioningExtracts } from './commissioning-extract.service';
import { auditExtractsTo } from './extract-audit';
import { ExtractJobRunner, ExtractKickOff } from './extract-jobs';

/**
 * The exporter's runner for `extract` jobs (for `ExportModule.forWorker({ providers: [extractJobRunners] })`): the
 * extract service over the app's ResourceStore, which must be the secured door (SecurityModule).
 */
export const extractJobRunners: Provider = {
  provide: JOB_RUNNERS,
  useFactory: (
    store: ResourceStore,
    persons: PersonQueries,
    consents: ConsentQueries,
    log: AuditLog,
    jobs: ExportJobs,
    files: ExportFileStore,
    settings: ExportSettings,
    config: ExportConfig,
  ): JobRunners => {
    const extracts = new CommissioningExtracts(store, persons, consents, auditExtractsTo(log, 'continuum-exporter'));
    const keyRing = config.extractKeyFile
      ? (JSON.parse(readFileSync(config.extractKeyFile, 'utf8')) as KeyRingDocument)
      : undefined;
    return { extract: new ExtractJobRunner(extracts, jobs, files, settings, keyRing) };
  },
  inject: [ResourceStore, PersonQueries, ConsentQueries, AuditLog, ExportJobs, ExportFileStore, EXPORT_SETTINGS, ExportConfig],
};

/** `$extract`'s kick-off for the API (next to `ExportModule.forApi()`, whose jobs and settings it uses). */
export const extractKickOff: Provider = {
  provide: ExtractKickOff,
  useFactory: (jobs: ExportJobs, audit: AuditRecorder, settings: ExportSettings) =>
    new ExtractKickOff(jobs, audit, settings),
  inject: [ExportJobs, AuditRecorder, EXPORT_SETTINGS],
};
