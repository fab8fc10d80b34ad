import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Extended statistics (MCV list and functional dependencies) on `search_token`'s (code, value, system_hash), on every
 * leaf partition (a search for one type is pruned to that type's partition, where the planner reads them).
 *
 * Why: a token's value depends on its code and its system on its value (`finished` is a `status`, with one system),
 * but the planner multiplied the three columns' selectivities as if independent and at a million resources
 * underestimated common tokens about sevenfold (`Encounter?class=AMB`: 12,386 expected, 85,052 found;
 * `Observation?category=laboratory`: 168,607 expected, 351,940 found). The searcher asks the planner how many index
 * rows each parameter of a search matches to decide whether to compose the search on keys (resource-searcher.ts): with
 * the estimates this far off a dense search looked sparse. docs/performance.md has the figures.
 */
export class StatisticsOnSearchTokenCodeAndValue1796720000000 implements MigrationInterface {
  name = 'StatisticsOnSearchTokenCodeAndValue1796720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const partition of await leafPartitions(queryRunner)) {
      await queryRunner.query(
        `CREATE STATISTICS IF NOT EXISTS "${partition}_code_value_stats" (mcv, dependencies) ON code, value, system_hash FROM "${partition}"`,
      );
      // statistics objects are filled by the next ANALYZE; a settled store may not see an autoanalyze for a while
      await queryRunner.query(`ANALYZE "${partition}"`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const partition of await leafPartitions(queryRunner))
      await queryRunner.query(`DROP STATISTICS IF EXISTS "${partition}_code_value_stats"`);
  }
}

async function leafPartitions(queryRunner: QueryRunner): Promise<string[]> {
  const rows = (await queryRunner.query(
    `SELECT relid::regclass::text AS name FROM pg_partition_tree('search_token') WHERE isleaf ORDER BY 1`,
  )) as { name: string }[];
  return rows.map((row) => row.name.replace(/^"|"$/g, ''));
}
