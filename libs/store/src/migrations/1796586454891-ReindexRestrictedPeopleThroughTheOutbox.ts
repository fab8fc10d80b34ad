import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Restricted (S-flag) people in Elasticsearch: when a person becomes restricted or stops being (a Patient record's
 * meta.security gains or loses R/V of v3 Confidentiality; a link joins a restricted record to a person or takes it
 * away), outbox rows are written, in the same transaction, for the current records of the persons concerned that
 * hold locating details (Patient, RelatedPerson, Person). The indexer then rewrites their documents with or without
 * those details (decided as it reads them), and nothing is lost if Elasticsearch is down. Triggers, so that every
 * writer of Patients (single writes, bundles, the bulk path) and of links (the linker, merges, operators) is
 * covered. The flag test mirrors libs/fhir (restricted-person.ts; the int spec checks they agree).
 */
export class ReindexRestrictedPeopleThroughTheOutbox1796586454891 implements MigrationInterface {
  name = 'ReindexRestrictedPeopleThroughTheOutbox1796586454891';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION "restricted_flagged"(content jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(content @> ANY(ARRAY[
          '{"meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]}}',
          '{"meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"V"}]}}'
        ]::jsonb[]), false)
      $$`);
    // The persons of these patients (MATCH and REDIRECT links), the patients themselves included.
    await queryRunner.query(`
      CREATE FUNCTION "restricted_person_patients"(patients text[]) RETURNS text[] LANGUAGE sql STABLE AS $$
        SELECT coalesce(array_agg(DISTINCT id), ARRAY[]::text[]) FROM (
          SELECT unnest(patients) AS id
          UNION SELECT other.patient_id FROM identity_link mine
          JOIN identity_link other ON other.person_id = mine.person_id AND other.state IN ('MATCH', 'REDIRECT')
          WHERE mine.patient_id = ANY(patients) AND mine.state IN ('MATCH', 'REDIRECT')) persons
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION "restricted_person_reindex"(patients text[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO resource_change (resource_type, id, resource_key, version_id, operation, changed_at,
                                     source_system, request_id)
        SELECT r.resource_type, r.id, r.resource_key, r.version_id, 'update', now(), r.source_system,
               'restricted-person'
        FROM resource r
        WHERE r.resource_type IN ('Patient', 'RelatedPerson', 'Person') AND NOT r.deleted
          AND r.compartments && patients
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION "restricted_person_patient_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF restricted_flagged(NEW.content) IS DISTINCT FROM
           (TG_OP = 'UPDATE' AND NOT OLD.deleted AND restricted_flagged(OLD.content)) THEN
          PERFORM restricted_person_reindex(restricted_person_patients(ARRAY[NEW.id]));
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "resource_restricted_person" AFTER INSERT OR UPDATE ON "resource"
      FOR EACH ROW WHEN (NEW.resource_type = 'Patient') EXECUTE FUNCTION restricted_person_patient_changed()`);
    await queryRunner.query(`
      CREATE FUNCTION "restricted_person_link_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        before text[] := ARRAY[]::text[];
        after text[] := ARRAY[]::text[];
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.person_id = NEW.person_id AND OLD.state = NEW.state THEN
          RETURN NULL; -- a score or explanation changed: who the person is did not
        END IF;
        IF TG_OP <> 'INSERT' AND OLD.state IN ('MATCH', 'REDIRECT') THEN
          before := ARRAY(SELECT patient_id FROM identity_link
                          WHERE person_id = OLD.person_id AND state IN ('MATCH', 'REDIRECT')) || OLD.patient_id;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.state IN ('MATCH', 'REDIRECT') THEN
          after := restricted_person_patients(ARRAY[NEW.patient_id]);
        END IF;
        IF cardinality(before || after) = 0 THEN
          RETURN NULL; -- neither side is a MATCH or REDIRECT: no one's person changed
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

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "identity_link_restricted_person" ON "identity_link"`);
    await queryRunner.query(`DROP FUNCTION "restricted_person_link_changed"()`);
    await queryRunner.query(`DROP TRIGGER "resource_restricted_person" ON "resource"`);
    await queryRunner.query(`DROP FUNCTION "restricted_person_patient_changed"()`);
    await queryRunner.query(`DROP FUNCTION "restricted_person_reindex"(text[])`);
    await queryRunner.query(`DROP FUNCTION "restricted_person_patients"(text[])`);
    await queryRunner.query(`DROP FUNCTION "restricted_flagged"(jsonb)`);
  }
}
