import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Patients' consent directives (objections to sharing, the national data opt-out), derived from Consent resources in
 * the same transaction as each Consent write, so that searches can leave hidden patients out in SQL
 * (docs/security.md, "Consent"). Consents stored before this migration: `npm run cli -- consent:rebuild`.
 */
export class CreateConsentDirectiveTable1763825000000 implements MigrationInterface {
  name = 'CreateConsentDirectiveTable1763825000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "consent_directive" (
        "consent_key" bigint NOT NULL,
        "ordinal" integer NOT NULL,
        "patient_id" text NOT NULL,
        "kind" text NOT NULL,
        "permitted_organisations" text array NOT NULL,
        "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "consent_directive_kind_ck" CHECK (kind IN ('sharing-objection', 'data-opt-out')),
        CONSTRAINT "consent_directive_pkey" PRIMARY KEY ("consent_key", "ordinal")
      )`);
    await queryRunner.query(
      `CREATE INDEX "consent_directive_patient_idx" ON "consent_directive" ("patient_id", "kind")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "consent_directive"`);
  }
}
