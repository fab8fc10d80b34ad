import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SMART App Launch (EHR launch) control tables: launch contexts an EHR registers and the authorization codes issued
 * against them, each single use and short-lived (SmartLaunchEntity, SmartAuthorizationCodeEntity); and the privacy
 * officer's alerts, one per break-glass, written in the transaction of its AuditEvent (PrivacyAlertEntity).
 */
export class CreateSmartLaunchAndPrivacyAlertTables1796610000000 implements MigrationInterface {
  name = 'CreateSmartLaunchAndPrivacyAlertTables1796610000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "smart_launch" (
        "launch_id" text NOT NULL,
        "registered_by" text NOT NULL,
        "subject" text NOT NULL,
        "user_name" text,
        "fhir_user" text,
        "portal_role" text NOT NULL,
        "organisation" text NOT NULL,
        "patient_id" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "smart_launch_pkey" PRIMARY KEY ("launch_id")
      )`);
    await queryRunner.query(`CREATE INDEX "smart_launch_expires_idx" ON "smart_launch" ("expires_at")`);
    await queryRunner.query(`
      CREATE TABLE "smart_authorization_code" (
        "code_hash" text NOT NULL,
        "launch_id" text NOT NULL,
        "client_id" text NOT NULL,
        "redirect_uri" text NOT NULL,
        "code_challenge" text NOT NULL,
        "scope" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "smart_authorization_code_pkey" PRIMARY KEY ("code_hash"),
        CONSTRAINT "smart_authorization_code_launch_fk" FOREIGN KEY ("launch_id")
          REFERENCES "smart_launch" ("launch_id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX "smart_authorization_code_expires_idx" ON "smart_authorization_code" ("expires_at")`,
    );
    await queryRunner.query(`
      CREATE TABLE "privacy_alert" (
        "id" uuid NOT NULL,
        "raised_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "audit_event_id" text NOT NULL,
        "subject" text NOT NULL,
        "user_name" text,
        "user_role" text NOT NULL,
        "organisation" text NOT NULL,
        "patient_id" text NOT NULL,
        "patient_label" text,
        "reason_code" text NOT NULL,
        "reason_text" text NOT NULL,
        "status" text NOT NULL DEFAULT 'open',
        "closed_by" text,
        "closed_at" TIMESTAMP WITH TIME ZONE,
        "outcome" text,
        "outcome_note" text,
        CONSTRAINT "privacy_alert_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "privacy_alert_status_check" CHECK ("status" IN ('open', 'closed'))
      )`);
    await queryRunner.query(
      `CREATE INDEX "privacy_alert_status_raised_idx" ON "privacy_alert" ("status", "raised_at")`,
    );
    await queryRunner.query(`CREATE INDEX "privacy_alert_patient_idx" ON "privacy_alert" ("patient_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "privacy_alert"`);
    await queryRunner.query(`DROP TABLE "smart_authorization_code"`);
    await queryRunner.query(`DROP TABLE "smart_launch"`);
  }
}
