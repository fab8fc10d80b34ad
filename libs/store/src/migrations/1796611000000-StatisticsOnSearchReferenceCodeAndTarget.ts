import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Extended statistics (MCV list and functional dependencies) on `search_reference`'s (code, target_id, target_type),
 * on every leaf partition, where the planner reads them: a search for one type is pruned to that type's partition.
 *
 * Why: a reference row's target depends on its code (a trust's `Organization/ods-rxx` appears only as Encounter's
 * `service-provider`), but the planner multiplies the three columns' selectivities as if independent and
 * underestimated an acute trust's encounters about 35-fold (121 estimated, 4,199 found at 200k resources). For
 * `Encounter?service-provider=<trust>&date=<month>` it then walked every encounter of the trust and probed each
 * one's date (25,817 buffers); with the joint statistics it starts from the month's dates and checks the provider
 * (1,942 buffers). docs/performance.md has the plans. New partitions (none are created at run time) would need the
 * same statement.
 */
export class StatisticsOnSearchReferenceCodeAndTarget1796611000000 implements MigrationInterface {
  name = 'StatisticsOnSearchReferenceCodeAndTarget1796611000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const partition of await leafPartitions(queryRunner)) {
      await queryRunner.query(
        `CREATE STATISTICS "${partition}_code_target_stats" (mcv, dependencies) ON code, target_id, target_type FROM "${partition}"`,
      );
      // statistics objects are filled by the next ANALYZE; a settled store may not see an autoanalyze for a while
      await queryRunner.query(`ANALYZE "${partition}"`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const partition of await leafPartitions(queryRunner))
      await queryRunner.query(`DROP STATISTICS IF EXISTS "${partition}_code_target_stats"`);
  }
}

async function leafPartitions(queryRunner: QueryRunner): Promise<string[]> {
  const rows = (await queryRunner.query(
    `SELECT relid::regclass::text AS name FROM pg_partition_tree('search_reference') WHERE isleaf ORDER BY 1`,
  )) as { name: string }[];
  return rows.map((row) => row.name.replace(/^"|"$/g, ''));
}
