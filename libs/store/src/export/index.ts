export * from './export-jobs.repository';
export type { ExportFileKind, ExportJobKind, ExportJobStatus } from './export-job.entities';
