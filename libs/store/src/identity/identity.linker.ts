import {
  DEFAULT_MATCH_MODEL,
  demographicsOf,
  type MatchModel,
  prepare,
  proposeLinks,
  score,
} from '@continuum/fhir';
import type { Patient } from 'fhir/r4';
import type { DataSource, EntityManager } from 'typeorm';
import { BlockIndex, hashedBlockKeysOf } from './block-index';
import type { IdentityLinks } from './identity-links.repository';

export interface LinkerOptions {
  model?: MatchModel;
  /** Stored records compared with a new one at most (those sharing most blocking keys first). */
  maxCandidates?: number;
  /**
   * A block this size or larger (placeholder data: a 1 January 1970 birth date, a given name of "Test") carries too
   * little evidence to be worth comparing or serialising on: the patient is matched through its other keys.
   */
  maxBlockSize?: number;
}

/**
 * Links source Patients to persons as they are stored: the patient's blocking keys find the stored records worth
 * comparing, the matcher scores them, `proposeLinks` turns the scores into links, and IdentityLinks records them.
 * Serialised per block: the transaction takes an advisory lock on each of the patient's (hashed) keys, in order, so
 * eight feeds delivering the same person at once decide one after the other and end with one person. Crowded blocks
 * (maxBlockSize) are neither compared nor locked: placeholder demographics would otherwise serialise a whole feed.
 * Replays are harmless: the same patient again finds its own person and changes nothing.
 */
export class IdentityLinker {
  private readonly model: MatchModel;
  private readonly maxCandidates: number;
  private readonly blocks: BlockIndex;

  constructor(
    private readonly dataSource: DataSource,
    private readonly links: IdentityLinks,
    options: LinkerOptions = {},
  ) {
    this.model = options.model ?? DEFAULT_MATCH_MODEL;
    this.maxCandidates = options.maxCandidates ?? 200;
    this.blocks = new BlockIndex(options.maxBlockSize ?? 200);
  }

  /**
   * Links the stored, current versions of these Patients (a placeholder or a stale copy is never matched on), then
   * settles the doubts they may resolve (settleDoubts). Answers the person of each patient asked.
   */
  async linkStored(patientIds: readonly string[]): Promise<Map<string, string | undefined>> {
    const persons = new Map<string, string | undefined>();
    for (const id of [...new Set(patientIds)].sort()) persons.set(id, await this.linkOne(id));
    await this.settleDoubts([...persons.keys()]);
    return persons;
  }

  /**
   * Linking one record at a time decides on what was stored then: a record left POSSIBLE_MATCH with a person may be
   * settled by a record that joins that person (or changes) later. So the records that share a block with these
   * patients and hold an AUTO POSSIBLE_MATCH with the person one of them now is are linked again, once (not their
   * own neighbours in turn). One indexed statement; nothing more when the block has no open question.
   */
  private async settleDoubts(linked: string[]): Promise<void> {
    if (!linked.length) return;
    const rows: { patient_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT doubt.patient_id
       FROM identity_link mine
       JOIN identity_link doubt
         ON doubt.person_id = mine.person_id AND doubt.state = 'POSSIBLE_MATCH' AND doubt.origin = 'AUTO'
       WHERE mine.patient_id = ANY($1::text[]) AND mine.state IN ('MATCH', 'REDIRECT')
         AND doubt.patient_id <> ALL($1::text[])
         AND EXISTS (SELECT 1 FROM identity_block_key theirs
                     JOIN identity_block_key ours ON ours.key = theirs.key AND ours.patient_id = mine.patient_id
                     WHERE theirs.patient_id = doubt.patient_id)
       ORDER BY 1`,
      [linked],
    );
    for (const { patient_id: doubtful } of rows) await this.linkOne(doubtful);
  }

  private linkOne(patientId: string): Promise<string | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const patient = await currentPatient(manager, patientId);
      if (!patient) return undefined; // deleted meanwhile: nothing to link
      const me = prepare(demographicsOf(patient));
      const keys = hashedBlockKeysOf(me);
      const usable = await this.blocks.uncrowded(manager, keys);
      await manager.query(
        `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT unnest($1::text[]) AS k ORDER BY 1) keys`,
        [usable],
      );
      await manager.query(`DELETE FROM identity_block_key WHERE patient_id = $1`, [patientId]);
      if (keys.length)
        await manager.query(
          `INSERT INTO identity_block_key (key, patient_id) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`,
          [keys, patientId],
        );
      const candidates = await this.candidates(manager, patientId, usable);
      const proposals = proposeLinks(
        candidates.map((candidate) => ({
          personId: candidate.person_id,
          patientId: candidate.id,
          score: score(me, prepare(demographicsOf(candidate.content)), this.model),
        })),
      );
      return this.links.applyAutomatic(
        patientId,
        proposals.map((proposal) => ({
          personId: proposal.personId,
          state: proposal.state,
          score: proposal.probability,
          explanation: { comparedWith: proposal.patientId, ...proposal.score.explanation },
        })),
        manager,
      );
    });
  }

  /** Stored Patients sharing blocking keys with this one, and the person each is. */
  private candidates(
    manager: EntityManager,
    patientId: string,
    keys: string[],
  ): Promise<{ id: string; content: Patient; person_id: string }[]> {
    if (!keys.length) return Promise.resolve([]);
    return manager.query(
      `SELECT r.id, r.content, link.person_id
       FROM (SELECT patient_id, count(*) AS shared FROM identity_block_key
             WHERE key = ANY($1::text[]) AND patient_id <> $2
             GROUP BY patient_id ORDER BY shared DESC, patient_id LIMIT $3) candidate
       JOIN resource r ON r.resource_type = 'Patient' AND r.id = candidate.patient_id AND NOT r.deleted
       JOIN identity_link link ON link.patient_id = candidate.patient_id AND link.state IN ('MATCH', 'REDIRECT')`,
      [keys, patientId, this.maxCandidates],
    );
  }
}

async function currentPatient(manager: EntityManager, id: string): Promise<Patient | undefined> {
  const [row] = await manager.query(
    `SELECT content FROM resource WHERE resource_type = 'Patient' AND id = $1 AND NOT deleted`,
    [id],
  );
  return row?.content;
}
