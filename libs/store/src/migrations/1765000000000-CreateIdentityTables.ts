import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The master patient index's control tables (libs/store/src/identity/identity.entities.ts): persons, links, history. */
export class CreateIdentityTables1765000000000 implements MigrationInterface {
  name = 'CreateIdentityTables1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "identity_person" (
        "id" uuid NOT NULL,
        "merged_into" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL,
        CONSTRAINT "identity_person_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`
      CREATE TABLE "identity_link" (
        "patient_id" text NOT NULL,
        "person_id" uuid NOT NULL,
        "state" text NOT NULL,
        "origin" text NOT NULL,
        "score" double precision,
        "explanation" jsonb,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL,
        CONSTRAINT "identity_link_origin_check" CHECK ("origin" IN ('AUTO', 'MANUAL')),
        CONSTRAINT "identity_link_state_check"
          CHECK ("state" IN ('MATCH', 'POSSIBLE_MATCH', 'NO_MATCH', 'POSSIBLE_DUPLICATE', 'REDIRECT')),
        CONSTRAINT "identity_link_pkey" PRIMARY KEY ("patient_id", "person_id"),
        CONSTRAINT "identity_link_person_fkey" FOREIGN KEY ("person_id") REFERENCES "identity_person"("id")
          ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);
    await queryRunner.query(
      `CREATE INDEX "identity_link_review_idx" ON "identity_link" ("state", "updated_at")
         WHERE "state" IN ('POSSIBLE_MATCH', 'POSSIBLE_DUPLICATE')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_link_one_match_per_patient" ON "identity_link" ("patient_id")
         WHERE "state" IN ('MATCH', 'REDIRECT')`,
    );
    await queryRunner.query(`CREATE INDEX "identity_link_person_idx" ON "identity_link" ("person_id")`);
    await queryRunner.query(`
      CREATE TABLE "identity_link_event" (
        "seq" BIGSERIAL NOT NULL,
        "patient_id" text NOT NULL,
        "person_id" uuid NOT NULL,
        "previous_state" text,
        "state" text,
        "origin" text NOT NULL,
        "score" double precision,
        "actor" text NOT NULL,
        "reason" text,
        "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "identity_link_event_pkey" PRIMARY KEY ("seq")
      )`);
    await queryRunner.query(
      `CREATE INDEX "identity_link_event_person_idx" ON "identity_link_event" ("person_id", "seq")`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_link_event_patient_idx" ON "identity_link_event" ("patient_id", "seq")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "identity_link_event"`);
    await queryRunner.query(`DROP TABLE "identity_link"`);
    await queryRunner.query(`DROP TABLE "identity_person"`);
  }
}
