import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The per-statement trigger function of 1796612000000 ran under a generic plan (plpgsql caches one), in which the
 * planner, not knowing how many links moved, hashed the moved records against every stored Patient it had filtered
 * for the restricted flag: a scan of all Patients per statement, which grew with the store (and was JIT-compiled
 * each time). Now each moved person's members and each member's Patient row are probed by key (LATERAL, kept apart),
 * whatever the plan, and the function runs without JIT. Same rule, same result.
 */
export class RestrictedPeopleLinkTriggerProbesByKey1796613000000 implements MigrationInterface {
  name = 'RestrictedPeopleLinkTriggerProbesByKey1796613000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION "restricted_person_links_moved"(patients text[], persons uuid[]) RETURNS void
      LANGUAGE plpgsql SET jit = off AS $$
      DECLARE
        reindex text[];
      BEGIN
        IF cardinality(patients) = 0 THEN
          RETURN; -- no MATCH or REDIRECT link changed: no one's person changed
        END IF;
        WITH moved AS (SELECT * FROM unnest(patients, persons) AS m(patient_id, person_id)),
        members AS (
          SELECT person_id, patient_id FROM moved
          UNION
          SELECT person.person_id, member.patient_id
          FROM (SELECT DISTINCT person_id FROM moved) person
          CROSS JOIN LATERAL (
            SELECT l.patient_id FROM identity_link l
            WHERE l.person_id = person.person_id AND l.state IN ('MATCH', 'REDIRECT')
            OFFSET 0 -- kept a per-person probe: never pulled up into a join over every link
          ) member
        ),
        restricted AS (
          SELECT DISTINCT m.person_id FROM members m
          CROSS JOIN LATERAL (
            SELECT 1 FROM resource p
            WHERE p.resource_type = 'Patient' AND p.id = m.patient_id AND NOT p.deleted AND restricted_flagged(p.content)
            LIMIT 1
          ) flagged
        )
        SELECT array_agg(DISTINCT m.patient_id) INTO reindex FROM members m JOIN restricted r USING (person_id);
        IF reindex IS NOT NULL THEN
          PERFORM restricted_person_reindex(reindex);
        END IF;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION "restricted_person_links_moved"(patients text[], persons uuid[]) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        reindex text[];
      BEGIN
        IF cardinality(patients) = 0 THEN
          RETURN;
        END IF;
        WITH moved AS (SELECT * FROM unnest(patients, persons) AS m(patient_id, person_id)),
        members AS (
          SELECT person_id, patient_id FROM moved
          UNION
          SELECT l.person_id, l.patient_id FROM identity_link l
          WHERE l.person_id IN (SELECT person_id FROM moved) AND l.state IN ('MATCH', 'REDIRECT')
        ),
        restricted AS (
          SELECT DISTINCT m.person_id FROM members m
          JOIN resource p ON p.resource_type = 'Patient' AND p.id = m.patient_id
          WHERE NOT p.deleted AND restricted_flagged(p.content)
        )
        SELECT array_agg(DISTINCT m.patient_id) INTO reindex FROM members m JOIN restricted r USING (person_id);
        IF reindex IS NOT NULL THEN
          PERFORM restricted_person_reindex(reindex);
        END IF;
      END $$`);
  }
}
