import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The identity_link trigger that re-announces a restricted person's records when the person's membership changes
 * ran once per row: about a millisecond a link, which made a set-based write of thousands of first links (the
 * initial load, a transaction of the ingest linker) spend most of its time in it. Now once per statement, over the
 * statement's transition tables, with the same rule: the persons a changed MATCH or REDIRECT link leaves or joins,
 * with every patient they hold (and the patients that moved), are re-announced when any of those patients is
 * restricted. A row-level trigger cannot carry transition tables for several events, hence one per event.
 */
export class ReindexRestrictedPeoplePerLinkStatement1796612000000 implements MigrationInterface {
  name = 'ReindexRestrictedPeoplePerLinkStatement1796612000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "identity_link_restricted_person" ON "identity_link"`);
    await queryRunner.query(`DROP FUNCTION "restricted_person_link_changed"()`);
    await queryRunner.query(`
      CREATE FUNCTION "restricted_person_links_moved"(patients text[], persons uuid[]) RETURNS void
      LANGUAGE plpgsql AS $$
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
    await queryRunner.query(`
      CREATE FUNCTION "restricted_person_links_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM restricted_person_links_moved(
          coalesce((SELECT array_agg(patient_id) FROM inserted WHERE state IN ('MATCH', 'REDIRECT')), '{}'),
          coalesce((SELECT array_agg(person_id) FROM inserted WHERE state IN ('MATCH', 'REDIRECT')), '{}'));
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION "restricted_person_links_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM restricted_person_links_moved(
          coalesce((SELECT array_agg(patient_id) FROM deleted WHERE state IN ('MATCH', 'REDIRECT')), '{}'),
          coalesce((SELECT array_agg(person_id) FROM deleted WHERE state IN ('MATCH', 'REDIRECT')), '{}'));
        RETURN NULL;
      END $$`);
    // an update that changed neither the person nor the state (a score, an explanation) moved no one
    await queryRunner.query(`
      CREATE FUNCTION "restricted_person_links_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM restricted_person_links_moved(coalesce(array_agg(patient_id), '{}'), coalesce(array_agg(person_id), '{}'))
        FROM (
          (SELECT patient_id, person_id, state FROM after_update EXCEPT SELECT patient_id, person_id, state FROM before_update)
          UNION
          (SELECT patient_id, person_id, state FROM before_update EXCEPT SELECT patient_id, person_id, state FROM after_update)
        ) changed
        WHERE state IN ('MATCH', 'REDIRECT');
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "identity_link_restricted_person_insert" AFTER INSERT ON "identity_link"
      REFERENCING NEW TABLE AS inserted
      FOR EACH STATEMENT EXECUTE FUNCTION restricted_person_links_inserted()`);
    await queryRunner.query(`
      CREATE TRIGGER "identity_link_restricted_person_delete" AFTER DELETE ON "identity_link"
      REFERENCING OLD TABLE AS deleted
      FOR EACH STATEMENT EXECUTE FUNCTION restricted_person_links_deleted()`);
    await queryRunner.query(`
      CREATE TRIGGER "identity_link_restricted_person_update" AFTER UPDATE ON "identity_link"
      REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update
      FOR EACH STATEMENT EXECUTE FUNCTION restricted_person_links_updated()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const event of ['insert', 'delete', 'update'])
      await queryRunner.query(`DROP TRIGGER "identity_link_restricted_person_${event}" ON "identity_link"`);
    for (const event of ['inserted', 'deleted', 'updated'])
      await queryRunner.query(`DROP FUNCTION "restricted_person_links_${event}"()`);
    await queryRunner.query(`DROP FUNCTION "restricted_person_links_moved"(text[], uuid[])`);
    await queryRunner.query(`
      CREATE FUNCTION "restricted_person_link_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        before text[] := ARRAY[]::text[];
        after text[] := ARRAY[]::text[];
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.person_id = NEW.person_id AND OLD.state = NEW.state THEN
          RETURN NULL;
        END IF;
        IF TG_OP <> 'INSERT' AND OLD.state IN ('MATCH', 'REDIRECT') THEN
          before := ARRAY(SELECT patient_id FROM identity_link
                          WHERE person_id = OLD.person_id AND state IN ('MATCH', 'REDIRECT')) || OLD.patient_id;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.state IN ('MATCH', 'REDIRECT') THEN
          after := restricted_person_patients(ARRAY[NEW.patient_id]);
        END IF;
        IF cardinality(before || after) = 0 THEN
          RETURN NULL;
        END IF;
        IF EXISTS (SELECT 1 FROM resource p WHERE p.resource_type = 'Patient' AND p.id = ANY(before || after)
                   AND NOT p.deleted AND restricted_flagged(p.content)) THEN
          PERFORM restricted_person_reindex(before || after);
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "identity_link_restricted_person" AFTER INSERT OR UPDATE OR DELETE ON "identity_link"
      FOR EACH ROW EXECUTE FUNCTION restricted_person_link_changed()`);
  }
}
