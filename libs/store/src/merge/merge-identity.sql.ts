import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';

/** A patient's identity link (MATCH or REDIRECT): who the master patient index says it is. */
export interface IdentityLink {
  personId: string;
  state: 'MATCH' | 'REDIRECT';
  origin: 'AUTO' | 'MANUAL';
}

/**
 * The master patient index's side of a merge, on the merge's own postgres.js transaction, so that the links move
 * in the same commit as the re-pointed resources (the TypeORM `IdentityLinks` runs on another pool and could not
 * join it). Same tables, same rules: each change appends an `identity_link_event`, and each patient is serialised
 * by the advisory lock `IdentityLinks` takes, so the merge and the matcher decide one after the other. The
 * REDIRECT link it writes is MANUAL, which the matcher never overwrites.
 */
export class MergeIdentity {
  constructor(private readonly tx: postgres.TransactionSql) {}

  /** Serialises with the linker and with operators (the lock key of IdentityLinks), in id order. */
  async lock(patientIds: string[]): Promise<void> {
    for (const id of [...new Set(patientIds)].sort())
      await this.tx`SELECT pg_advisory_xact_lock(hashtextextended(${'identity:' + id}, 0))`;
  }

  async identityOf(patientId: string): Promise<IdentityLink | undefined> {
    const [row] = await this.tx<
      { person_id: string; state: 'MATCH' | 'REDIRECT'; origin: 'AUTO' | 'MANUAL' }[]
    >`
      SELECT person_id, state, origin FROM identity_link
      WHERE patient_id = ${patientId} AND state IN ('MATCH', 'REDIRECT') FOR UPDATE`;
    return row && { personId: row.person_id, state: row.state, origin: row.origin };
  }

  /** The survivor's person; a survivor the index has not linked yet becomes a person of its own (AUTO: the matcher may still move it). */
  async personOfSurvivor(patientId: string, actor: string): Promise<string> {
    const current = await this.identityOf(patientId);
    if (current) return current.personId;
    const personId = await this.newPerson();
    await this.put(patientId, personId, 'MATCH', 'AUTO', actor, 'a person of its own, to merge into');
    return personId;
  }

  /** M becomes a REDIRECT to the survivor's person (MANUAL); its previous identity link ends. */
  async redirect(mergedId: string, personId: string, actor: string, reason: string): Promise<void> {
    const current = await this.identityOf(mergedId);
    if (current && current.personId !== personId) await this.remove(mergedId, current, actor, reason);
    await this.put(mergedId, personId, 'REDIRECT', 'MANUAL', actor, reason);
  }

  /**
   * The unmerge: M's REDIRECT ends and its identity before the merge comes back (that person when it still exists,
   * else a person of its own).
   */
  async restore(
    mergedId: string,
    previous: { personId: string; origin: string } | undefined,
    actor: string,
    reason: string,
  ): Promise<string> {
    const current = await this.identityOf(mergedId);
    const [exists] = previous
      ? await this.tx`SELECT 1 FROM identity_person WHERE id = ${previous.personId}`
      : [];
    const personId = exists && previous ? previous.personId : await this.newPerson();
    const origin = exists && previous?.origin === 'MANUAL' ? 'MANUAL' : 'AUTO';
    if (current && current.personId !== personId) await this.remove(mergedId, current, actor, reason);
    await this.put(mergedId, personId, 'MATCH', origin, actor, reason);
    return personId;
  }

  /**
   * M's previous person follows the survivor's: its other records (MATCH or REDIRECT) move to that person, keeping
   * their state and origin, and the emptied person is marked `merged_into` it. A record an operator said is not the
   * survivor's person (a MANUAL NO_MATCH) stays. Returns the records moved, for the Provenance (an unmerge moves them
   * back).
   */
  async fold(
    fromPersonId: string,
    intoPersonId: string,
    except: string,
    actor: string,
    reason: string,
  ): Promise<string[]> {
    if (fromPersonId === intoPersonId) return [];
    const others = await this.tx<{ patient_id: string }[]>`
      SELECT patient_id FROM identity_link
      WHERE person_id = ${fromPersonId} AND state IN ('MATCH', 'REDIRECT') AND patient_id <> ${except}
      ORDER BY patient_id`;
    await this.lock(others.map((row) => row.patient_id));
    const moved: string[] = [];
    for (const { patient_id: patientId } of others) {
      const [refused] = await this.tx`
        SELECT 1 FROM identity_link WHERE patient_id = ${patientId} AND person_id = ${intoPersonId}
          AND state = 'NO_MATCH' AND origin = 'MANUAL'`;
      if (refused) continue;
      if (await this.move(patientId, fromPersonId, intoPersonId, actor, reason)) moved.push(patientId);
    }
    const [left] = await this.tx`
      SELECT 1 FROM identity_link WHERE person_id = ${fromPersonId} AND state IN ('MATCH', 'REDIRECT') LIMIT 1`;
    if (!left)
      await this
        .tx`UPDATE identity_person SET merged_into = ${intoPersonId}, updated_at = now(), version = version + 1
                    WHERE id = ${fromPersonId}`;
    return moved;
  }

  /** The unmerge of `fold`: the records it moved, still on the survivor's person, go back to their person. */
  async unfold(
    patientIds: string[],
    fromPersonId: string,
    backToPersonId: string,
    actor: string,
    reason: string,
  ): Promise<void> {
    if (fromPersonId === backToPersonId) return;
    await this.lock(patientIds);
    await this.tx`UPDATE identity_person SET merged_into = NULL, updated_at = now(), version = version + 1
                  WHERE id = ${backToPersonId} AND merged_into IS NOT NULL`;
    for (const patientId of patientIds)
      await this.move(patientId, fromPersonId, backToPersonId, actor, reason);
  }

  /** Moves a patient's identity link (MATCH or REDIRECT) from one person to another, state and origin kept. */
  private async move(
    patientId: string,
    from: string,
    to: string,
    actor: string,
    reason: string,
  ): Promise<boolean> {
    const current = await this.identityOf(patientId);
    if (!current || current.personId !== from) return false;
    await this.remove(patientId, current, actor, reason);
    await this.put(patientId, to, current.state, current.origin, actor, reason);
    return true;
  }

  private async newPerson(): Promise<string> {
    const id = randomUUID();
    await this.tx`INSERT INTO identity_person (id, merged_into, version) VALUES (${id}, NULL, 1)`;
    return id;
  }

  /** Creates or changes the link (patient, person) and appends its event; an unchanged link writes nothing. */
  private async put(
    patientId: string,
    personId: string,
    state: IdentityLink['state'],
    origin: IdentityLink['origin'],
    actor: string,
    reason: string,
  ): Promise<void> {
    const [existing] = await this.tx<{ state: string; origin: string }[]>`
      SELECT state, origin FROM identity_link WHERE patient_id = ${patientId} AND person_id = ${personId} FOR UPDATE`;
    if (existing?.state === state && existing.origin === origin) return;
    const explanation = { reason };
    await this.tx`
      INSERT INTO identity_link (patient_id, person_id, state, origin, score, explanation, updated_at, version)
      VALUES (${patientId}, ${personId}, ${state}, ${origin}, NULL, ${this.tx.json(explanation)}, now(), 1)
      ON CONFLICT (patient_id, person_id) DO UPDATE
      SET state = EXCLUDED.state, origin = EXCLUDED.origin, score = NULL, explanation = EXCLUDED.explanation,
          updated_at = now(), version = identity_link.version + 1`;
    await this.event(patientId, personId, existing?.state ?? null, state, origin, actor, reason);
  }

  private async remove(patientId: string, link: IdentityLink, actor: string, reason: string): Promise<void> {
    await this.tx`DELETE FROM identity_link WHERE patient_id = ${patientId} AND person_id = ${link.personId}`;
    await this.event(patientId, link.personId, link.state, null, link.origin, actor, reason);
  }

  private async event(
    patientId: string,
    personId: string,
    previousState: string | null,
    state: string | null,
    origin: string,
    actor: string,
    reason: string,
  ): Promise<void> {
    await this.tx`
      INSERT INTO identity_link_event (patient_id, person_id, previous_state, state, origin, score, actor, reason)
      VALUES (${patientId}, ${personId}, ${previousState}, ${state}, ${origin}, NULL, ${actor}, ${reason})`;
  }
}
