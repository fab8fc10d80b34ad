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
   * Links the stored, current versions of these Patients (a placeholder or a stale copy is never matched on). Each
   * new link can settle earlier doubts: the block's records that the matcher had left POSSIBLE_MATCH with the person
   * this patient joined are scored again, now against this record too (the order dependence of linking one record at
   * a time: a later record can make an earlier pair certain). Only those, once: it costs nothing when the block has
   * no open question. Answers the person of each patient asked.
   */
  async linkStored(patientIds: readonly string[]): Promise<Map<string, string | undefined>> {
    const persons = new Map<string, string | undefined>();
    const doubtful = new Set<string>();
    for (const id of [...new Set(patientIds)].sort()) {
      const linked = await this.linkOne(id);
      persons.set(id, linked.personId);
      linked.doubtful.forEach((other) => doubtful.add(other));
    }
    for (const other of [...doubtful].sort()) if (!persons.has(other)) await this.linkOne(other);
    return persons;
  }

  private linkOne(patientId: string): Promise<{ personId: string | undefined; doubtful: string[] }> {
    return this.dataSource.transaction(async (manager) => {
      const patient = await currentPatient(manager, patientId);
      if (!patient) return { personId: undefined, doubtful: [] }; // deleted meanwhile: nothing to link
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
      const personId = await this.links.applyAutomatic(
        patientId,
        proposals.map((proposal) => ({
          personId: proposal.personId,
          state: proposal.state,
          score: proposal.probability,
          explanation: { comparedWith: proposal.patientId, ...proposal.score.explanation },
        })),
        manager,
      );
      return {
        personId,
        doubtful: await this.doubtful(
          manager,
          personId,
          candidates.map((c) => c.id),
        ),
      };
    });
  }

  /** The block's records the matcher left undecided (AUTO POSSIBLE_MATCH) about this person. */
  private async doubtful(
    manager: EntityManager,
    personId: string | undefined,
    candidates: string[],
  ): Promise<string[]> {
    if (!personId || !candidates.length) return [];
    const rows: { patient_id: string }[] = await manager.query(
      `SELECT patient_id FROM identity_link
       WHERE person_id = $1 AND state = 'POSSIBLE_MATCH' AND origin = 'AUTO' AND patient_id = ANY($2::text[])`,
      [personId, candidates],
    );
    return rows.map((row) => row.patient_id);
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
