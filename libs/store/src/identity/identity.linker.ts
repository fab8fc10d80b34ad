import { randomUUID } from 'node:crypto';
import {
  blockingKeysOf,
  DEFAULT_LINKING_LIMITS,
  DEFAULT_MATCH_MODEL,
  type LinkingLimits,
  demographicsOf,
  type MatchModel,
  type PersonProposal,
  prepare,
  type PreparedRecord,
  proposeLinks,
  score,
} from '@continuum/fhir';
import type { Patient } from 'fhir/r4';
import type { DataSource, EntityManager } from 'typeorm';
import { BlockIndex, hashBlockKey } from './block-index';
import type { FirstLinks, IdentityLinks, LinkProposal } from './identity-links.repository';

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
  private readonly blocks: BlockIndex;

  constructor(
    private readonly dataSource: DataSource,
    private readonly links: IdentityLinks,
    options: LinkerOptions = {},
  ) {
    this.model = options.model ?? DEFAULT_MATCH_MODEL;
    this.maxCandidates = options.maxCandidates ?? DEFAULT_LINKING_LIMITS.maxCandidates;
    this.blocks = new BlockIndex(options.maxBlockSize ?? DEFAULT_LINKING_LIMITS.maxBlockSize);
  }

  /** Of these patients, those with no identity link at all (stored, then a crash before they were linked). */
  async unlinkedAmong(patientIds: readonly string[]): Promise<string[]> {
    if (patientIds.length === 0) return [];
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM unnest($1::text[]) AS id WHERE NOT EXISTS (SELECT 1 FROM identity_link l WHERE l.patient_id = id)`,
      [[...new Set(patientIds)]],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Links the stored, current versions of these Patients (a placeholder or a stale copy is never matched on), in
   * transactions of up to TRANSACTION_PATIENTS: one commit per group rather than per patient, which is most of
   * the cost on a loaded disk. A group takes the locks of all its usable keys at once, in one sorted order, so
   * groups linking at the same time never deadlock; within a group patients are decided one after the other.
   * Then the doubts they may settle are settled (settleDoubts).
   */
  async linkStored(patientIds: readonly string[]): Promise<Map<string, string | undefined>> {
    const persons = new Map<string, string | undefined>();
    const ids = [...new Set(patientIds)].sort();
    for (let i = 0; i < ids.length; i += TRANSACTION_PATIENTS)
      for (const [id, person] of await this.linkGroup(ids.slice(i, i + TRANSACTION_PATIENTS)))
        persons.set(id, person);
    await this.settleDoubts(ids);
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
    const doubtful = rows.map((row) => row.patient_id);
    for (let i = 0; i < doubtful.length; i += TRANSACTION_PATIENTS)
      await this.linkGroup(doubtful.slice(i, i + TRANSACTION_PATIENTS));
  }

  private linkGroup(patientIds: readonly string[]): Promise<Map<string, string | undefined>> {
    return this.dataSource.transaction(async (manager) => {
      const patients = await currentPatients(manager, patientIds);
      const records = new Map(
        [...patients].map(([id, patient]) => {
          const me = prepare(demographicsOf(patient));
          return [id, { me, keys: [...new Set(blockingKeysOf(me).map(hashBlockKey))].sort() }];
        }),
      );
      const allKeys = [...new Set([...records.values()].flatMap((record) => record.keys))];
      const usable = new Set(await this.blocks.uncrowded(manager, allKeys));
      await manager.query(
        `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT unnest($1::text[]) AS k ORDER BY 1) keys`,
        [[...usable]],
      );
      // the patients' locks before their block-key rows, as every writer of those rows takes them (the initial load
      // holds a page's patients and then writes their keys): the other order deadlocks with it
      const linked = await this.links.lockPatients([...records.keys()], manager);
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
      // New patients (no links yet, the common case) are decided here and written together; a patient that holds
      // links (a replay, an update, a manual decision) goes through applyAutomatic, after what is pending is written.
      const pending = new PendingLinks();
      const persons = new Map<string, string | undefined>();
      for (const id of patientIds) {
        const record = records.get(id);
        if (!record) {
          persons.set(id, undefined); // deleted meanwhile: nothing to link
          continue;
        }
        const usableKeys = record.keys.filter((key) => usable.has(key));
        if (linked.has(id)) {
          await this.links.recordFirstLinks(pending.take(), manager);
          persons.set(id, await this.decide(manager, id, record.me, usableKeys));
          continue;
        }
        const proposals = this.propose(record.me, [
          ...(await this.candidates(manager, id, usableKeys)),
          ...pending.sharing(usableKeys),
        ]);
        const match = proposals.find((proposal) => proposal.state === 'MATCH');
        const personId = match?.personId ?? randomUUID();
        pending.add({ patientId: id, personId, newPerson: !match, proposals }, record.me, record.keys);
        persons.set(id, personId);
      }
      await this.links.recordFirstLinks(pending.take(), manager);
      return persons;
    });
  }

  /**
   * The matcher's proposals from the candidates sharing most keys (ties by id), at most maxCandidates: stored
   * records and those decided earlier in the same transaction alike.
   */
  private propose(me: PreparedRecord, candidates: Candidate[]): LinkProposal[] {
    const nearest = candidates
      .sort((a, b) => b.shared - a.shared || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, this.maxCandidates);
    return proposeLinks(
      nearest.map((candidate) => ({
        personId: candidate.personId,
        patientId: candidate.id,
        score: score(me, candidate.record, this.model),
      })),
    ).map(toLinkProposal);
  }

  /** Scores the candidates that share usable keys with the patient and records the links the matcher proposes. */
  private async decide(
    manager: EntityManager,
    patientId: string,
    me: PreparedRecord,
    usable: string[],
  ): Promise<string | undefined> {
    const proposals = this.propose(me, await this.candidates(manager, patientId, usable));
    return this.links.applyAutomatic(patientId, proposals, manager);
  }

  /** Stored, linked Patients sharing blocking keys with this one, the person each is and the keys they share. */
  private async candidates(manager: EntityManager, patientId: string, keys: string[]): Promise<Candidate[]> {
    if (!keys.length) return [];
    const rows: { id: string; content: Patient; person_id: string; shared: string }[] = await manager.query(
      `SELECT r.id, r.content, link.person_id, candidate.shared
       FROM (SELECT patient_id, count(*) AS shared FROM identity_block_key
             WHERE key = ANY($1::text[]) AND patient_id <> $2
             GROUP BY patient_id ORDER BY shared DESC, patient_id LIMIT $3) candidate
       JOIN resource r ON r.resource_type = 'Patient' AND r.id = candidate.patient_id AND NOT r.deleted
       JOIN identity_link link ON link.patient_id = candidate.patient_id AND link.state IN ('MATCH', 'REDIRECT')`,
      [keys, patientId, this.maxCandidates],
    );
    return rows.map((row) => ({
      id: row.id,
      personId: row.person_id,
      shared: Number(row.shared),
      record: prepare(demographicsOf(row.content)),
    }));
  }
}

/** The matcher's proposal as the index records it: the probability, and the explanation naming the record compared. */
export function toLinkProposal(proposal: PersonProposal): LinkProposal {
  return {
    personId: proposal.personId,
    state: proposal.state,
    score: proposal.probability,
    explanation: { comparedWith: proposal.patientId, ...proposal.score.explanation },
  };
}

/** A record the incoming one is compared with. */
interface Candidate {
  id: string;
  personId: string;
  /** Blocking keys shared with the incoming record. */
  shared: number;
  record: PreparedRecord;
}

/** New patients decided in this transaction and not yet written: candidates for the ones after them. */
class PendingLinks {
  private decisions: FirstLinks[] = [];
  private readonly byKey = new Map<string, { id: string; personId: string; record: PreparedRecord }[]>();

  add(decision: FirstLinks, record: PreparedRecord, keys: readonly string[]): void {
    this.decisions.push(decision);
    for (const key of keys) {
      const entry = { id: decision.patientId, personId: decision.personId, record };
      const block = this.byKey.get(key);
      if (block) block.push(entry);
      else this.byKey.set(key, [entry]);
    }
  }

  /** Pending patients sharing any of these keys, with how many each shares. */
  sharing(keys: readonly string[]): Candidate[] {
    const found = new Map<string, Candidate>();
    for (const key of keys)
      for (const entry of this.byKey.get(key) ?? []) {
        const candidate = found.get(entry.id);
        if (candidate) candidate.shared++;
        else found.set(entry.id, { ...entry, shared: 1 });
      }
    return [...found.values()];
  }

  /** The decisions to write now; once written they are stored candidates, found by the candidates query. */
  take(): FirstLinks[] {
    const taken = this.decisions;
    this.decisions = [];
    this.byKey.clear();
    return taken;
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
