import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Durable export jobs and their files (see ExportJobEntity, ExportFileEntity; docs/bulk-export.md). */
export class CreateExportJobTables1796586240765 implements MigrationInterface {
  name = 'CreateExportJobTables1796586240765';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "export_job" (
        "id" uuid NOT NULL,
        "kind" text NOT NULL,
        "status" text NOT NULL,
        "client_id" text NOT NULL,
        "purpose_of_use" text NOT NULL,
        "access" jsonb NOT NULL,
        "request_url" text NOT NULL,
        "parameters" jsonb NOT NULL,
        "transaction_time" timestamptz NOT NULL,
        "resume_after" bigint,
        "exported" bigint NOT NULL DEFAULT 0,
        "issues" jsonb NOT NULL DEFAULT '[]',
        "failure_reason" text,
        "worker_id" text,
        "lease_until" timestamptz,
        "attempts" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "completed_at" timestamptz,
        "expires_at" timestamptz NOT NULL,
        "last_polled_at" timestamptz,
        CONSTRAINT "export_job_kind_check" CHECK ("kind" IN ('bulk-export', 'view-export')),
        CONSTRAINT "export_job_status_check" CHECK ("status" IN ('accepted', 'in-progress', 'completed', 'failed')),
        CONSTRAINT "export_job_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "export_job_claim_idx" ON "export_job" ("status", "lease_until")`);
    await queryRunner.query(`CREATE INDEX "export_job_expires_idx" ON "export_job" ("expires_at")`);
    await queryRunner.query(`
      CREATE TABLE "export_file" (
        "job_id" uuid NOT NULL,
        "name" text NOT NULL,
        "kind" text NOT NULL,
        "resource_type" text NOT NULL,
        "part" integer NOT NULL,
        "count" integer NOT NULL DEFAULT 0,
        "bytes" bigint NOT NULL DEFAULT 0,
        "complete" boolean NOT NULL DEFAULT false,
        CONSTRAINT "export_file_kind_check" CHECK ("kind" IN ('output', 'deleted', 'error')),
        CONSTRAINT "export_file_pkey" PRIMARY KEY ("job_id", "name"),
        CONSTRAINT "export_file_job_fk" FOREIGN KEY ("job_id") REFERENCES "export_job" ("id") ON DELETE CASCADE
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "export_file"`);
    await queryRunner.query(`DROP TABLE "export_job"`);
  }
}
