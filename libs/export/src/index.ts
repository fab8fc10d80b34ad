// FHIR Bulk Data export and SQL on FHIR views ($run, $viewdefinition-export): kick-off, durable jobs run by workers
// through the secured door, files, manifest.
export * from './bulk-export.service';
export * from './export-file.store';
export * from './export.runner';
export * from './export.worker';
export * from './export-settings';
export * from './export-parts.writer';
export * from './access-snapshot';
export * from './export-job';
export * from './view-run.service';
export * from './view-encoding';
export * from './view-export';
export { ExportModule, EXPORT_SETTINGS, JOB_RUNNERS, exportSettingsOf } from './export.module';
