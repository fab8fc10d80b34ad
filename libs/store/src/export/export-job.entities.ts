import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * What a job produces: a FHIR Bulk Data export; a ViewDefinition export; a governed commissioning extract
 * (`$extract`, libs/commissioning). The same workers claim them all and run each by its kind.
 */
export type ExportJobKind = 'bulk-export' | 'view-export' | 'extract';
export const EXPORT_JOB_KINDS: readonly ExportJobKind[] = ['bulk-export', 'view-export', 'extract'];

/** accepted → in-progress → completed | failed. A cancelled job is deleted with its files. */
export type ExportJobStatus = 'accepted' | 'in-progress' | 'completed' | 'failed';
export const EXPORT_JOB_STATUSES: readonly ExportJobStatus[] = ['accepted', 'in-progress', 'completed', 'failed'];

/** output: resources of one type; deleted: Bundles of DELETE requests (`_since`); error: OperationOutcomes. */
export type ExportFileKind = 'output' | 'deleted' | 'error';
export const EXPORT_FILE_KINDS: readonly ExportFileKind[] = ['output', 'deleted', 'error'];

/**
 * An asynchronous export (FHIR Bulk Data kick-off → status → files), durable so that any worker replica can claim
 * it (`FOR UPDATE SKIP LOCKED` on status and lease) and resume it from its stored keyset position after a crash.
 */
@Entity({ name: 'export_job' })
@Check('export_job_kind_check', `"kind" IN (${EXPORT_JOB_KINDS.map((kind) => `'${kind}'`).join(', ')})`)
@Check(
  'export_job_status_check',
  `"status" IN (${EXPORT_JOB_STATUSES.map((status) => `'${status}'`).join(', ')})`,
)
@Index('export_job_claim_idx', ['status', 'leaseUntil'])
@Index('export_job_expires_idx', ['expiresAt'])
@Index('export_job_parent_idx', ['parentId'])
@Check('export_job_slice_check', `("parent_id" IS NULL) = ("slice" IS NULL)`)
export class ExportJobEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', primaryKeyConstraintName: 'export_job_pkey' })
  id!: string;

  @Column({ name: 'kind', type: 'text' })
  kind!: ExportJobKind;

  @Column({ name: 'status', type: 'text' })
  status!: ExportJobStatus;

  /** The kick-off client: only its tokens may poll, download or cancel. */
  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  /** Purpose of use at kick-off (TREAT, HOPERAT, HRESCH ...): decides whether the national data opt-out applies. */
  @Column({ name: 'purpose_of_use', type: 'text' })
  purposeOfUse!: string;

  /** The kick-off caller's access context, under which the worker reads through the secured door. */
  @Column({ name: 'access', type: 'jsonb' })
  access!: object;

  /** The kick-off request as the client sent it (the manifest's `request`). */
  @Column({ name: 'request_url', type: 'text' })
  requestUrl!: string;

  /** The validated parameters (level, types, since, filters ...). */
  @Column({ name: 'parameters', type: 'jsonb' })
  parameters!: object;

  /** Fixed at kick-off: nothing newer is exported. */
  @Column({ name: 'transaction_time', type: 'timestamptz' })
  transactionTime!: Date;

  /** The resource_key after which the scan resumes (null: from the start). */
  @Column({ name: 'resume_after', type: 'bigint', nullable: true })
  resumeAfter!: string | null;

  @Column({ name: 'exported', type: 'bigint', default: 0 })
  exported!: string;

  /** Problems reported in the error file (lenient handling of unknown parameters, per-resource problems). */
  @Column({ name: 'issues', type: 'jsonb', default: () => "'[]'" })
  issues!: object;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  @Column({ name: 'worker_id', type: 'text', nullable: true })
  workerId!: string | null;

  /** A worker holds the job until then, renewing it while it runs; past it, any worker may claim the job. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'attempts', type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** The job and its files are swept after this. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** The last status poll, for answering 429 to a client polling faster than Retry-After allows. */
  @Column({ name: 'last_polled_at', type: 'timestamptz', nullable: true })
  lastPolledAt!: Date | null;

  /**
   * A slice's export: the job the client kicked off, which this one reads a key range of. A large export is sliced
   * so that several worker processes read it at once; the parent completes with the last of its slices.
   */
  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @ManyToOne(() => ExportJobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'export_job_parent_fk' })
  parent?: ExportJobEntity;

  /** A slice's number within its export, from 1 (it names the slice's files). */
  @Column({ name: 'slice', type: 'integer', nullable: true })
  slice!: number | null;

  /** A slice reads the keys after this one (null: from the first)... */
  @Column({ name: 'key_from', type: 'bigint', nullable: true })
  keyFrom!: string | null;

  /** ...up to and including this one (null: to the last). */
  @Column({ name: 'key_to', type: 'bigint', nullable: true })
  keyTo!: string | null;

  /** The job was sliced: its slices are claimed instead of it. */
  @Column({ name: 'sliced', type: 'boolean', default: false })
  sliced!: boolean;
}

/** One file (part) of a job: a type's resources up to the configured size, with what it holds so far. */
@Entity({ name: 'export_file' })
@Check('export_file_kind_check', `"kind" IN (${EXPORT_FILE_KINDS.map((kind) => `'${kind}'`).join(', ')})`)
export class ExportFileEntity {
  @PrimaryColumn({ name: 'job_id', type: 'uuid', primaryKeyConstraintName: 'export_file_pkey' })
  jobId!: string;

  /** The file's name in the job's storage (`Patient.1.ndjson`). */
  @PrimaryColumn({ name: 'name', type: 'text', primaryKeyConstraintName: 'export_file_pkey' })
  name!: string;

  @ManyToOne(() => ExportJobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id', foreignKeyConstraintName: 'export_file_job_fk' })
  job?: ExportJobEntity;

  @Column({ name: 'kind', type: 'text' })
  kind!: ExportFileKind;

  @Column({ name: 'resource_type', type: 'text' })
  resourceType!: string;

  /** Order within the type, from 1. */
  @Column({ name: 'part', type: 'integer' })
  part!: number;

  /** Lines (resources, or Bundles of deletions) written and checkpointed. */
  @Column({ name: 'count', type: 'integer', default: 0 })
  count!: number;

  /** Bytes checkpointed: a resumed worker cuts the file back to this. */
  @Column({ name: 'bytes', type: 'bigint', default: 0 })
  bytes!: string;

  /** No more lines will be added (split at the size limit, or the job finished). */
  @Column({ name: 'complete', type: 'boolean', default: false })
  complete!: boolean;
}

export const EXPORT_ENTITIES = [ExportJobEntity, ExportFileEntity];
