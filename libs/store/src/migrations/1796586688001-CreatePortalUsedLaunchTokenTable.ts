import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The portal's single-use launch tokens (UsedLaunchTokenEntity): one row per accepted `jti`. */
export class CreatePortalUsedLaunchTokenTable1796586688001 implements MigrationInterface {
  name = 'CreatePortalUsedLaunchTokenTable1796586688001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "portal_used_launch_token" (
        "jti" text NOT NULL,
        "subject" text NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "portal_used_launch_token_pkey" PRIMARY KEY ("jti")
      )`);
    await queryRunner.query(
      `CREATE INDEX "portal_used_launch_token_expires_idx" ON "portal_used_launch_token" ("expires_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "portal_used_launch_token"`);
  }
}
