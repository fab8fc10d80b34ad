import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Resource types expected to hold most rows get their own partition; every other type lands in the default one. */
const LARGE_TYPES = [
  'Patient',
  'Observation',
  'Condition',
  'Encounter',
  'AllergyIntolerance',
  'MedicationRequest',
  'MedicationStatement',
  'Procedure',
  'Immunization',
  'DiagnosticReport',
  'DocumentReference',
  'Composition',
  'Practitioner',
  'Organization',
];
const HISTORY_HASH_PARTITIONS = 16;

const partitionName = (type: string) => `resource_${type.toLowerCase()}`;

/**
 * The store's tables (see docs/store-design.md). Written as SQL because TypeORM cannot express partitioning;
 * the entities describe the same columns, keys and indexes so the drift check stays empty.
 */
export class CreateResourceTables1763780000000 implements MigrationInterface {
  name = 'CreateResourceTables1763780000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE resource_key_seq AS bigint CACHE 100`);

    await queryRunner.query(`
      CREATE TABLE "resource" (
        "resource_type" text NOT NULL,
        "id" text NOT NULL,
        "resource_key" bigint NOT NULL,
        "version_id" integer NOT NULL,
        "last_updated" TIMESTAMP WITH TIME ZONE NOT NULL,
        "deleted" boolean NOT NULL DEFAULT false,
        "source_system" text,
        "source_updated" TIMESTAMP WITH TIME ZONE,
        "compartments" text array NOT NULL DEFAULT '{}',
        "content" jsonb,
        CONSTRAINT "resource_pkey" PRIMARY KEY ("resource_type", "id")
      ) PARTITION BY LIST ("resource_type")`);
    for (const type of LARGE_TYPES) {
      await queryRunner.query(
        `CREATE TABLE "${partitionName(type)}" PARTITION OF "resource" FOR VALUES IN ('${type}')`,
      );
    }
    await queryRunner.query(`CREATE TABLE "resource_default" PARTITION OF "resource" DEFAULT`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "resource_key_uq" ON "resource" ("resource_key", "resource_type")`,
    );
    await queryRunner.query(
      `CREATE INDEX "resource_type_last_updated_idx" ON "resource" ("resource_type", "last_updated")`,
    );
    // Patient-compartment lookups ($everything, compartment search); fastupdate off keeps read latency steady.
    await queryRunner.query(
      `CREATE INDEX "resource_compartments_gin" ON "resource" USING gin ("compartments") WITH (fastupdate = off)`,
    );

    await queryRunner.query(`
      CREATE TABLE "resource_history" (
        "resource_type" text NOT NULL,
        "id" text NOT NULL,
        "version_id" integer NOT NULL,
        "last_updated" TIMESTAMP WITH TIME ZONE NOT NULL,
        "deleted" boolean NOT NULL DEFAULT false,
        "source_system" text,
        "request_id" text,
        "content" jsonb,
        CONSTRAINT "resource_history_pkey" PRIMARY KEY ("resource_type", "id", "version_id")
      ) PARTITION BY HASH ("id")`);
    for (let remainder = 0; remainder < HISTORY_HASH_PARTITIONS; remainder++) {
      await queryRunner.query(
        `CREATE TABLE "resource_history_${remainder}" PARTITION OF "resource_history" FOR VALUES WITH (MODULUS ${HISTORY_HASH_PARTITIONS}, REMAINDER ${remainder})`,
      );
    }
    await queryRunner.query(
      `CREATE INDEX "resource_history_last_updated_idx" ON "resource_history" ("last_updated")`,
    );
    await queryRunner.query(
      `CREATE INDEX "resource_history_type_last_updated_idx" ON "resource_history" ("resource_type", "last_updated")`,
    );

    await queryRunner.query(`
      CREATE TABLE "resource_change" (
        "seq" BIGSERIAL NOT NULL,
        "tx_id" bigint NOT NULL DEFAULT txid_current(),
        "resource_type" text NOT NULL,
        "id" text NOT NULL,
        "resource_key" bigint NOT NULL,
        "version_id" integer NOT NULL,
        "operation" text NOT NULL,
        "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "source_system" text,
        "request_id" text,
        CONSTRAINT "resource_change_operation_ck" CHECK (operation IN ('create', 'update', 'delete')),
        CONSTRAINT "resource_change_pkey" PRIMARY KEY ("seq")
      )`);
    await queryRunner.query(
      `CREATE INDEX "resource_change_tx_seq_idx" ON "resource_change" ("tx_id", "seq")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "resource_change"`);
    await queryRunner.query(`DROP TABLE "resource_history"`);
    await queryRunner.query(`DROP TABLE "resource"`);
    await queryRunner.query(`DROP SEQUENCE resource_key_seq`);
  }
}
