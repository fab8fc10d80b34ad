import { createHash } from 'node:crypto';
import {
  blockingKeysOf,
  DEFAULT_LINKING_LIMITS,
  DEFAULT_MATCH_MODEL,
  type LinkingLimits,
  demographicsOf,
  type MatchModel,
  prepare,
  type PreparedRecord,
  proposeLinks,
  score,
} from '@continuum/fhir';
import type { Patient } from 'fhir/r4';
import type { DataSource, EntityManager } from 'typeorm';
import type { IdentityLinks } from './identity-links.repository';

/** The model and the limits (`LinkingLimits`, shared with the in-memory `IncrementalLinker` of libs/fhir). */
export interface LinkerOptions extends Partial<LinkingLimits> {
  model?: MatchModel;
}

/** Patients linked in one transaction (one commit); the ingest path hands over a chunk's Patients at once. */
const TRANSACTION_PATIENTS = 100;

/**
 * Links source Patients to persons as they are stored: the patient's blocking keys find the stored records worth
 * comparing, the matcher scores them, `proposeLinks` turns the scores into links, and IdentityLinks records them.
 * Serialised per block: the transaction takes an advisory lock on each of its patients' (hashed) keys, in order, so
 * eight feeds delivering the same person at once decide one after the other and end with one person. Crowded blocks
 * (maxBlockSize) are neither compared nor locked: placeholder demographics would otherwise serialise a whole feed.
 * Replays are harmless: the same patient again finds its own person and changes nothing. `IncrementalLinker`
 * (libs/fhir) takes the same steps in memory; `npm run bench -- identity` measures both on a labelled population.
 */
export class IdentityLinker {
  private readonly model: MatchModel;
  private readonly maxCandidates: number;
  private readonly maxBlockSize: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly links: IdentityLinks,
    options: LinkerOptions = {},
  ) {
    this.model = options.model ?? DEFAULT_MATCH_MODEL;
    this.maxCandidates = options.maxCandidates ?? DEFAULT_LINKING_LIMITS.maxCandidates;
    this.maxBlockSize = options.maxBlockSize ?? DEFAULT_LINKING_LIMITS.maxBlockSize;
  }

  /**
   * Links the stored, current versions of these Patients (a placeholder or a stale copy is never matched on), in
   * transactions of up to TRANSACTION_PATIENTS: one commit per group rather than per patient, which is most of
   * the cost on a loaded disk. A group takes the locks of all its usable keys at once, in one sorted order, so
   * groups linking at the same time never deadlock; within a group patients are decided one after the other.
   */
  async linkStored(patientIds: readonly string[]): Promise<Map<string, string | undefined>> {
    const persons = new Map<string, string | undefined>();
    const ids = [...new Set(patientIds)].sort();
    for (let i = 0; i < ids.length; i += TRANSACTION_PATIENTS)
      for (const [id, person] of await this.linkGroup(ids.slice(i, i + TRANSACTION_PATIENTS)))
        persons.set(id, person);
    return persons;
  }

  private linkGroup(patientIds: readonly string[]): Promise<Map<string, string | undefined>> {
    return this.dataSource.transaction(async (manager) => {
      const patients = await currentPatients(manager, patientIds);
      const records = new Map(
        [...patients].map(([id, patient]) => {
          const me = prepare(demographicsOf(patient));
          return [id, { me, keys: [...new Set(blockingKeysOf(me).map(hashKey))].sort() }];
        }),
      );
      const allKeys = [...new Set([...records.values()].flatMap((record) => record.keys))];
      const usable = new Set(await this.uncrowded(manager, allKeys));
      await manager.query(
        `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT unnest($1::text[]) AS k ORDER BY 1) keys`,
        [[...usable]],
      );
      await manager.query(`DELETE FROM identity_block_key WHERE patient_id = ANY($1::text[])`, [
        [...records.keys()],
      ]);
      const rows = [...records].flatMap(([id, record]) => record.keys.map((key) => [key, id]));
      if (rows.length)
        await manager.query(
          `INSERT INTO identity_block_key (key, patient_id)
           SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
          [rows.map(([key]) => key), rows.map(([, id]) => id)],
        );
      const persons = new Map<string, string | undefined>();
      for (const id of patientIds) {
        const record = records.get(id);
        // deleted meanwhile: nothing to link
        persons.set(
          id,
          record &&
            (await this.decide(
              manager,
              id,
              record.me,
              record.keys.filter((key) => usable.has(key)),
            )),
        );
      }
      return persons;
    });
  }

  /** Scores the candidates that share usable keys with the patient and records the links the matcher proposes. */
  private async decide(
    manager: EntityManager,
    patientId: string,
    me: PreparedRecord,
    usable: string[],
  ): Promise<string | undefined> {
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
  }

  /** The keys whose blocks are smaller than maxBlockSize (each count stops there). */
  private async uncrowded(manager: EntityManager, keys: string[]): Promise<string[]> {
    if (!keys.length) return [];
    const crowded: { key: string }[] = await manager.query(
      `SELECT k AS key FROM unnest($1::text[]) AS k
       WHERE (SELECT count(*) FROM (SELECT 1 FROM identity_block_key b WHERE b.key = k LIMIT $2) bounded) >= $2`,
      [keys, this.maxBlockSize],
    );
    const skip = new Set(crowded.map((row) => row.key));
    return keys.filter((key) => !skip.has(key));
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

async function currentPatients(
  manager: EntityManager,
  ids: readonly string[],
): Promise<Map<string, Patient>> {
  const rows: { id: string; content: Patient }[] = await manager.query(
    `SELECT id, content FROM resource WHERE resource_type = 'Patient' AND id = ANY($1::text[]) AND NOT deleted`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.content]));
}

/** Blocking keys carry identifying values: only their hashes are stored and locked on. */
function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}
