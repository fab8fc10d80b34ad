import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The type 1 objection (GP data for purposes beyond direct care) kept as a consent directive kind of its own. */
export class AllowGpType1ObjectionDirectives1796700000000 implements MigrationInterface {
  name = 'AllowGpType1ObjectionDirectives1796700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "consent_directive" DROP CONSTRAINT "consent_directive_kind_ck"`);
    await queryRunner.query(
      `ALTER TABLE "consent_directive" ADD CONSTRAINT "consent_directive_kind_ck" CHECK (kind IN ('sharing-objection', 'data-opt-out', 'gp-type-1-objection'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "consent_directive" WHERE kind = 'gp-type-1-objection'`);
    await queryRunner.query(`ALTER TABLE "consent_directive" DROP CONSTRAINT "consent_directive_kind_ck"`);
    await queryRunner.query(
      `ALTER TABLE "consent_directive" ADD CONSTRAINT "consent_directive_kind_ck" CHECK (kind IN ('sharing-objection', 'data-opt-out'))`,
    );
  }
}
