import type { MigrationInterface, QueryRunner } from 'typeorm';

// The same partition layout as `resource` (CreateResourceTables), copied on purpose: a migration is a snapshot.
const LARGE_TYPES = [
  'Patient',
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
const OBSERVATION_HASH_PARTITIONS = 4;

/** Every table starts with the row identity: which resource, which parameter, which of its values. */
const ROW_KEY = `
  "resource_type" text NOT NULL,
  "resource_key" bigint NOT NULL,
  "code" text NOT NULL,
  "ordinal" integer NOT NULL`;

interface IndexTable {
  name: string;
  columns: string;
  /** Index name suffix → definition. */
  indexes: Record<string, string>;
}

// Value columns compared by prefix or equality are COLLATE "C": btree prefix matching (LIKE 'abc%') needs it,
// and byte order is cheaper than a linguistic collation; the application folds case and accents beforehand.
const TABLES: IndexTable[] = [
  {
    name: 'search_string',
    columns: `"value" text COLLATE "C" NOT NULL, "exact" text NOT NULL`,
    indexes: {
      value: `("resource_type", "code", "value")`,
      // :contains (substring) on the folded value. GIN cannot lead with type and code; the planner combines it
      // with the btree above or filters the few candidates.
      trgm: `USING gin ("value" gin_trgm_ops)`,
    },
  },
  {
    name: 'search_token',
    columns: `"system_hash" bigint, "value" text COLLATE "C"`,
    indexes: { value: `("resource_type", "code", "value", "system_hash")` },
  },
  {
    name: 'search_date',
    columns: `"start_at" timestamptz NOT NULL, "end_at" timestamptz NOT NULL`,
    indexes: {
      start: `("resource_type", "code", "start_at", "end_at")`,
      end: `("resource_type", "code", "end_at")`,
    },
  },
  {
    name: 'search_number',
    columns: `"low" numeric, "high" numeric`,
    indexes: { value: `("resource_type", "code", "low", "high")` },
  },
  {
    name: 'search_quantity',
    columns: `"low" numeric, "high" numeric, "system_hash" bigint, "unit" text COLLATE "C", "unit_text" text`,
    indexes: { value: `("resource_type", "code", "unit", "low", "high")` },
  },
  {
    name: 'search_reference',
    columns: `"target_type" text COLLATE "C", "target_id" text COLLATE "C" NOT NULL`,
    indexes: { target: `("resource_type", "code", "target_id", "target_type")` },
  },
  {
    name: 'search_uri',
    columns: `"value" text COLLATE "C" NOT NULL`,
    indexes: { value: `("resource_type", "code", "value")` },
  },
  {
    name: 'search_composite',
    columns: `"system_hash" bigint, "value" text COLLATE "C",
      "second_system_hash" bigint, "second_value" text COLLATE "C", "second_low" numeric, "second_high" numeric,
      "second_unit" text COLLATE "C", "second_start_at" timestamptz, "second_end_at" timestamptz`,
    indexes: { value: `("resource_type", "code", "value", "system_hash")` },
  },
];

/**
 * The search index (docs/search-design.md, "Search index"): one table per parameter type, rows keyed by
 * (resource_type, resource_key, code, ordinal), LIST-partitioned by resource type like `resource`, so every search
 * (always for one type) touches one partition's indexes. Written as SQL for partitioning and operator classes;
 * the entities in libs/store/src/search/ describe the same columns and keys for the drift check.
 */
export class CreateSearchIndexTables1763790000000 implements MigrationInterface {
  name = 'CreateSearchIndexTables1763790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    for (const table of TABLES) {
      await queryRunner.query(`
        CREATE TABLE "${table.name}" (${ROW_KEY}, ${table.columns},
          CONSTRAINT "${table.name}_pkey" PRIMARY KEY ("resource_type", "resource_key", "code", "ordinal")
        ) PARTITION BY LIST ("resource_type")`);
      for (const type of LARGE_TYPES) {
        await queryRunner.query(
          `CREATE TABLE "${table.name}_${type.toLowerCase()}" PARTITION OF "${table.name}" FOR VALUES IN ('${type}')`,
        );
      }
      await queryRunner.query(
        `CREATE TABLE "${table.name}_observation" PARTITION OF "${table.name}" FOR VALUES IN ('Observation') PARTITION BY HASH ("resource_key")`,
      );
      for (let remainder = 0; remainder < OBSERVATION_HASH_PARTITIONS; remainder++) {
        await queryRunner.query(
          `CREATE TABLE "${table.name}_observation_${remainder}" PARTITION OF "${table.name}_observation" FOR VALUES WITH (MODULUS ${OBSERVATION_HASH_PARTITIONS}, REMAINDER ${remainder})`,
        );
      }
      await queryRunner.query(`CREATE TABLE "${table.name}_default" PARTITION OF "${table.name}" DEFAULT`);
      for (const [suffix, index] of Object.entries(table.indexes)) {
        await queryRunner.query(`CREATE INDEX "${table.name}_${suffix}_idx" ON "${table.name}" ${index}`);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await queryRunner.query(`DROP TABLE "${table.name}"`);
  }
}
