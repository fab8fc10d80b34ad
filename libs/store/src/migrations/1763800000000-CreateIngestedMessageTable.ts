import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The ingestion ledger (see IngestedMessageEntity). */
export class CreateIngestedMessageTable1763800000000 implements MigrationInterface {
  name = 'CreateIngestedMessageTable1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "ingested_message" (
        "source_system" text NOT NULL,
        "message_id" text NOT NULL,
        "topic" text NOT NULL,
        "partition" integer NOT NULL,
        "kafka_offset" bigint NOT NULL,
        "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "outcome" text NOT NULL,
        "resource_count" integer NOT NULL DEFAULT 0,
        "error_code" text,
        CONSTRAINT "PK_ingested_message" PRIMARY KEY ("source_system", "message_id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "ingested_message_received_at_idx" ON "ingested_message" ("received_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ingested_message"`);
  }
}
