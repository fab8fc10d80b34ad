import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A large export is sliced into jobs of its own (one per range of resource keys) that any worker process may claim,
 * so one export is read by several processes at once (docs/bulk-export.md, "Slices"). The export the client sees
 * stays the parent row: it is no longer claimed once sliced, and completes with the last of its slices.
 */
export class SliceExportJobsByKeyRange1796730000000 implements MigrationInterface {
  name = 'SliceExportJobsByKeyRange1796730000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "export_job"
        ADD "parent_id" uuid,
        ADD "slice" integer,
        ADD "key_from" bigint,
        ADD "key_to" bigint,
        ADD "sliced" boolean NOT NULL DEFAULT false,
        ADD CONSTRAINT "export_job_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "export_job"("id") ON DELETE CASCADE,
        ADD CONSTRAINT "export_job_slice_check" CHECK (("parent_id" IS NULL) = ("slice" IS NULL))`);
    await queryRunner.query(`CREATE INDEX "export_job_parent_idx" ON "export_job" ("parent_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "export_job" WHERE "sliced" OR "parent_id" IS NOT NULL`);
    await queryRunner.query(`DROP INDEX "export_job_parent_idx"`);
    await queryRunner.query(`
      ALTER TABLE "export_job" DROP CONSTRAINT "export_job_slice_check", DROP CONSTRAINT "export_job_parent_fk",
        DROP COLUMN "sliced", DROP COLUMN "key_to", DROP COLUMN "key_from", DROP COLUMN "slice", DROP COLUMN "parent_id"`);
  }
}
