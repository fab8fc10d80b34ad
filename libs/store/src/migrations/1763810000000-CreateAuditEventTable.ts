import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only, hash-chained audit trail (see AuditEventEntity and docs/security.md). The trigger refuses any
 * change to a written row through every role that is subject to triggers; the hash chain detects the rest.
 */
export class CreateAuditEventTable1763810000000 implements MigrationInterface {
  name = 'CreateAuditEventTable1763810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "audit_event" (
        "seq" bigint NOT NULL,
        "id" text NOT NULL,
        "recorded" TIMESTAMP WITH TIME ZONE NOT NULL,
        "patient_ids" text array NOT NULL DEFAULT '{}',
        "agent" text,
        "subtype" text NOT NULL,
        "outcome" text NOT NULL,
        "content" jsonb NOT NULL,
        "prev_hash" text NOT NULL,
        "hash" text NOT NULL,
        CONSTRAINT "audit_event_pkey" PRIMARY KEY ("seq")
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "audit_event_id_uq" ON "audit_event" ("id")`);
    await queryRunner.query(`CREATE INDEX "audit_event_recorded_idx" ON "audit_event" ("recorded")`);
    await queryRunner.query(
      `CREATE INDEX "audit_event_patient_ids_gin" ON "audit_event" USING gin ("patient_ids")`,
    );
    await queryRunner.query(`
      CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_event_append_only" BEFORE UPDATE OR DELETE ON "audit_event"
      FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_event_no_truncate" BEFORE TRUNCATE ON "audit_event"
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_event"`);
    await queryRunner.query(`DROP FUNCTION audit_event_refuse_change()`);
  }
}
