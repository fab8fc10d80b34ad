import { blockingKeysOf, DEFAULT_BLOCKING_RULES, type BlockingRule } from './blocking';
import { type PersonProposal, proposeLinks, type ScoredCandidate } from './link-decision';
import { DEFAULT_MATCH_MODEL, type MatchModel } from './match-model';
import type { PreparedRecord } from './prepared-record';
import { score } from './scoring';

/** How far the linker looks for one incoming record; the store's IdentityLinker uses the same defaults. */
export interface LinkingLimits {
  /** Stored records compared with a new one at most (those sharing most blocking keys first). */
  maxCandidates: number;
  /**
   * A block this size or larger (placeholder data: a 1 January 1970 birth date, a given name of "Test") carries too
   * little evidence to be worth comparing or serialising on: the record is matched through its other keys.
   */
  maxBlockSize: number;
}

export const DEFAULT_LINKING_LIMITS: Readonly<LinkingLimits> = Object.freeze({
  maxCandidates: 200,
  maxBlockSize: 200,
});

/** What linking one record decided: the person it is, and the persons it may be (for review). */
export interface IncrementalLinkResult {
  person: number;
  /** Other persons proposed as POSSIBLE_MATCH. */
  possible: number[];
  /** Records scored against this one. */
  compared: number;
  /** Every proposal as the matcher made it (person ids are this linker's numbers), with scores and explanations. */
  proposals: PersonProposal[];
  /** The record's distinct blocking keys, sorted (unhashed). */
  keys: string[];
}

/**
 * The master patient index's linking of records one at a time, in memory: the same steps, limits and decisions
 * as the store's IdentityLinker (libs/store/src/identity) without Postgres. For each new record: its blocking
 * keys; the blocks below maxBlockSize; the earlier records sharing those keys, most keys shared first (ties by
 * id), at most maxCandidates; each scored; `proposeLinks`; the one MATCH person, else a new person. So it answers
 * how well on-ingest linking does on a labelled population, quickly and without a database, and a benchmark can
 * check the store against it. Records are never re-linked: like the ingest path, arrival order matters.
 */
export class IncrementalLinker {
  private readonly records: PreparedRecord[] = [];
  private readonly ids: string[] = [];
  private readonly personOf: number[] = [];
  private readonly indexOf = new Map<string, number>();
  private readonly blocks = new Map<string, number[]>();
  private persons = 0;
  private readonly limits: LinkingLimits;

  constructor(
    private readonly model: MatchModel = DEFAULT_MATCH_MODEL,
    limits: Partial<LinkingLimits> = {},
    private readonly rules: readonly BlockingRule[] = DEFAULT_BLOCKING_RULES,
  ) {
    this.limits = { ...DEFAULT_LINKING_LIMITS, ...limits };
  }

  /** Links the next record (its id orders ties among candidates, as the store's patient id does). */
  link(id: string, record: PreparedRecord): IncrementalLinkResult {
    const index = this.records.length;
    const keys = [...new Set(blockingKeysOf(record, this.rules))].sort();
    const candidates = this.candidates(record, keys);
    const proposals = proposeLinks(candidates);
    const match = proposals.find((proposal) => proposal.state === 'MATCH');
    const person = match ? Number(match.personId) : this.persons++;
    this.records.push(record);
    this.ids.push(id);
    this.indexOf.set(id, index);
    this.personOf.push(person);
    for (const key of keys) {
      const block = this.blocks.get(key);
      if (block) block.push(index);
      else this.blocks.set(key, [index]);
    }
    return {
      person,
      possible: proposals
        .filter((proposal) => proposal.state === 'POSSIBLE_MATCH')
        .map((proposal) => Number(proposal.personId)),
      compared: candidates.length,
      proposals,
      keys,
    };
  }
  /**
   * What the matcher proposes for an earlier record now that every record is in: the same steps as `link`, against
   * all the other records (a one-pass order compared each record only with those before it). The store's
   * re-evaluation pass asks the stored linker the same question.
   */
  reconsider(id: string): PersonProposal[] {
    const index = this.indexOf.get(id);
    if (index === undefined) throw new Error(`Unknown record ${id}`);
    const keys = [...new Set(blockingKeysOf(this.records[index], this.rules))];
    return proposeLinks(this.candidates(this.records[index], keys, index));
  }

  /** The person a linked record is. */
  personOfRecord(id: string): number | undefined {
    const index = this.indexOf.get(id);
    return index === undefined ? undefined : this.personOf[index];
  }

  /** A re-evaluation's decision: the record is now this person (`newPerson()` for one of its own). */
  moveTo(id: string, person: number): void {
    const index = this.indexOf.get(id);
    if (index === undefined) throw new Error(`Unknown record ${id}`);
    this.personOf[index] = person;
  }

  newPerson(): number {
    return this.persons++;
  }

  /** Records per person: each person's records, by index order. */
  membersByPerson(): Map<number, string[]> {
    const members = new Map<number, string[]>();
    this.personOf.forEach((person, index) => {
      const ids = members.get(person);
      if (ids) ids.push(this.ids[index]);
      else members.set(person, [this.ids[index]]);
    });
    return members;
  }

  /**
   * The records sharing the record's uncrowded keys, most keys shared first (ties by id), at most maxCandidates,
   * scored; `self` (a record already in) is never its own candidate but counts in its blocks' sizes, as in the store.
   */
  private candidates(record: PreparedRecord, keys: readonly string[], self?: number): ScoredCandidate[] {
    const usable = keys.filter((key) => (this.blocks.get(key)?.length ?? 0) < this.limits.maxBlockSize);
    const shared = new Map<number, number>();
    for (const key of usable)
      for (const other of this.blocks.get(key) ?? [])
        if (other !== self) shared.set(other, (shared.get(other) ?? 0) + 1);
    return [...shared]
      .sort(([a, sa], [b, sb]) => sb - sa || compareIds(this.ids[a], this.ids[b]))
      .slice(0, this.limits.maxCandidates)
      .map(([other]): ScoredCandidate => ({
        personId: String(this.personOf[other]),
        patientId: this.ids[other],
        score: score(record, this.records[other], this.model),
      }));
  }
}

/** Ties among candidates by id, as the store's `ORDER BY patient_id` (matters only past maxCandidates). */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
