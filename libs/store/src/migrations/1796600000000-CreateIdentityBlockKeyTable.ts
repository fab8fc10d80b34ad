import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The identity linker's candidate index: hashed blocking keys per source Patient (see BlockKeyEntity). */
export class CreateIdentityBlockKeyTable1796600000000 implements MigrationInterface {
  name = 'CreateIdentityBlockKeyTable1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "identity_block_key" (
        "key" text NOT NULL,
        "patient_id" text NOT NULL,
        CONSTRAINT "identity_block_key_pkey" PRIMARY KEY ("key", "patient_id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "identity_block_key_patient_idx" ON "identity_block_key" ("patient_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "identity_block_key"`);
  }
}
