import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Commissioning extracts (`$extract`) run as export jobs of their own kind, claimed by the same workers. */
export class AllowExtractExportJobs1796710000000 implements MigrationInterface {
  name = 'AllowExtractExportJobs1796710000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "export_job" DROP CONSTRAINT "export_job_kind_check"`);
    await queryRunner.query(
      `ALTER TABLE "export_job" ADD CONSTRAINT "export_job_kind_check" CHECK ("kind" IN ('bulk-export', 'view-export', 'extract'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "export_job" WHERE kind = 'extract'`);
    await queryRunner.query(`ALTER TABLE "export_job" DROP CONSTRAINT "export_job_kind_check"`);
    await queryRunner.query(
      `ALTER TABLE "export_job" ADD CONSTRAINT "export_job_kind_check" CHECK ("kind" IN ('bulk-export', 'view-export'))`,
    );
  }
}
