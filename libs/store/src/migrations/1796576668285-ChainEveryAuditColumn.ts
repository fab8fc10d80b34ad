import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit rows from now on are hashed over every column (chain version 2: AuditEventRepository.append), not over
 * their content alone. Existing rows keep version 1 (the default fills them without rewriting the table or firing
 * the append-only trigger) and are not re-chained: recomputing their hashes would launder any edit made before
 * this migration and invalidate head hashes already anchored outside the database. The verifier checks a version 1
 * row's other columns against the content they were derived from instead (docs/security.md).
 */
export class ChainEveryAuditColumn1796576668285 implements MigrationInterface {
  name = 'ChainEveryAuditColumn1796576668285';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_event" ADD "chain_version" smallint NOT NULL DEFAULT 1`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_event" DROP COLUMN "chain_version"`);
  }
}
