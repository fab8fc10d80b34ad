import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Marks the UCUM base-unit copy of a quantity (`5.4 mg` → `0.0054 g`), so that a search without a unit compares the
 * stated value only (`value-quantity=gt100` must not find 61 kg through 61000 g). A constant default adds the column
 * without rewriting the partitions. Rows written before read as stated until their resource is written again.
 */
export class MarkCanonicalQuantityRows1796575744283 implements MigrationInterface {
  name = 'MarkCanonicalQuantityRows1796575744283';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "search_quantity" ADD COLUMN "canonical" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `ALTER TABLE "search_composite" ADD COLUMN "second_canonical" boolean NOT NULL DEFAULT false`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "search_composite" DROP COLUMN "second_canonical"`);
    await queryRunner.query(`ALTER TABLE "search_quantity" DROP COLUMN "canonical"`);
  }
}
