import { randomUUID } from 'node:crypto';
import {
  DEFAULT_LINKING_LIMITS,
  DEFAULT_MATCH_MODEL,
  demographicsOf,
  IncrementalLinker,
  type PersonProposal,
  prepare,
} from '@continuum/fhir';
import type { Patient } from 'fhir/r4';
import type { DataSource, EntityManager } from 'typeorm';
import { hashBlockKey } from './block-index';
import type { FirstLinks, IdentityLinks, LinkRevision } from './identity-links.repository';
import { toLinkProposal, type LinkerOptions } from './identity.linker';

export interface InitialLoadOptions {
  /** Patients read, decided and written together (one transaction each). */
  pageSize?: number;
  onProgress?: (linked: number, lastKey: string) => void;
}

export interface InitialLoadReport {
  /** Patients whose first links this load wrote. */
  linked: number;
  persons: number;
  /** Patients found already linked when their page was written (ingest linked them meanwhile): left as they were. */
  alreadyLinked: number;
  /**
   * Doubtful patients asked again once every record was in (those left POSSIBLE_MATCH, and the records of the
   * persons they may be), as `IdentityRebuild`'s re-evaluation pass asks the stored linker.
   */
  reEvaluated: number;
  /** Of those, the patients whose links changed. */
  revised: number;
}

/** Held for the whole load: two loads at once would each invent persons the other cannot see. */
const LOAD_LOCK = 'identity:initial-load';

/**
 * The first linking of a store that holds no links yet (a community's history loaded before linking was on, or an
 * index dropped to change the model). The store's IdentityLinker decides each patient against candidates read
 * from Postgres, which is right on ingest but spends a million round trips on a million stored Patients. Here the
 * same decisions are taken in memory, by `IncrementalLinker` (libs/fhir: the same blocking keys, crowded-block
 * limit, candidate order and cap, scoring and `proposeLinks`), over the Patients read in resource-key order, and
 * written a page at a time with set-based statements (persons, links, history, block keys) while the next page is
 * read and decided. What it writes is what the stored linker records for a new patient: AUTO links with the
 * matcher's probability and explanation, history events by `matcher`, hashed block keys.
 *
 * Ingest may go on meanwhile: a page's patients are locked as the stored linker locks them, and one that ingest has
 * linked already keeps its links. The doubts a one-pass order leaves are settled afterwards by `IdentityRebuild`'s
 * re-evaluation pass, through the stored linker.
 */
export class IdentityInitialLoad {
  private readonly linkerOptions: LinkerOptions;

  constructor(
    private readonly dataSource: DataSource,
    private readonly links: IdentityLinks,
    options: LinkerOptions = {},
  ) {
    this.linkerOptions = options;
  }

  /** Whether the index is empty: no patient holds a link (so nothing manual can be overridden). */
  async applies(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM identity_link LIMIT 1`);
    return rows.length === 0;
  }

  async run(options: InitialLoadOptions = {}): Promise<InitialLoadReport> {
    const pageSize = options.pageSize ?? 5_000;
    const session = this.dataSource.createQueryRunner();
    await session.connect();
    try {
      const [{ locked }] = await session.query(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [LOAD_LOCK],
      );
      if (!locked) throw new Error('another initial identity load is running on this database');
      try {
        if (!(await this.applies()))
          throw new Error('the identity index already holds links: link with the stored linker instead');
        return await this.load(pageSize, options.onProgress);
      } finally {
        await session.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [LOAD_LOCK]);
      }
    } finally {
      await session.release();
    }
  }

  private async load(
    pageSize: number,
    onProgress: InitialLoadOptions['onProgress'],
  ): Promise<InitialLoadReport> {
    const linker = new IncrementalLinker(this.linkerOptions.model ?? DEFAULT_MATCH_MODEL, {
      maxCandidates: this.linkerOptions.maxCandidates ?? DEFAULT_LINKING_LIMITS.maxCandidates,
      maxBlockSize: this.linkerOptions.maxBlockSize ?? DEFAULT_LINKING_LIMITS.maxBlockSize,
    });
    const personIds: string[] = []; // the in-memory linker's person numbers → person ids
    const possibleOf = new Map<string, number[]>(); // patients left in doubt → the persons they may be
    const report: InitialLoadReport = { linked: 0, persons: 0, alreadyLinked: 0, reEvaluated: 0, revised: 0 };
    const foreign = new Set<string>(); // patients ingest linked meanwhile: not this load's to revise
    let writing: Promise<void> = Promise.resolve();
    let after = '-1';
    let nextPage = quietUntilAwaited(this.page(after, pageSize));
    for (;;) {
      const rows = await nextPage;
      if (!rows.length) break;
      after = rows[rows.length - 1].resource_key;
      if (rows.length === pageSize) nextPage = quietUntilAwaited(this.page(after, pageSize)); // read ahead
      const page = rows.map((row): Decided => {
        const result = linker.link(row.id, prepare(demographicsOf(row.content)));
        const newPerson = result.person === personIds.length;
        if (newPerson) personIds.push(randomUUID());
        if (result.possible.length) possibleOf.set(row.id, result.possible);
        return {
          decision: {
            patientId: row.id,
            personId: personIds[result.person],
            newPerson,
            proposals: result.proposals.map((proposal) =>
              toLinkProposal({ ...proposal, personId: personIds[Number(proposal.personId)] }),
            ),
          },
          keys: [...new Set(result.keys.map(hashBlockKey))],
        };
      });
      await writing; // one page in flight: Postgres writes it while Node decides the next
      const lastKey = after;
      writing = quietUntilAwaited(
        this.write(page).then((written) => {
          report.linked += written.linked;
          report.persons += written.persons;
          report.alreadyLinked += written.alreadyLinked;
          written.foreign.forEach((id) => foreign.add(id));
          onProgress?.(report.linked + report.alreadyLinked, lastKey);
        }),
      );
      if (rows.length < pageSize) break;
    }
    await writing;
    const settled = settle(linker, possibleOf, foreign);
    report.reEvaluated = settled.asked;
    report.revised = settled.revisions.length;
    const newPersons: string[] = [];
    const personId = (person: number) => {
      while (personIds.length <= person) newPersons.push(personIds[personIds.push(randomUUID()) - 1]);
      return personIds[person];
    };
    const revisions = settled.revisions.map((revision): LinkRevision => ({
      patientId: revision.patientId,
      remove: revision.remove.map((link) => ({ personId: personId(link.person), state: link.state })),
      add: revision.add.map((link) =>
        link.proposal
          ? toLinkProposal({ ...link.proposal, personId: personId(link.person) })
          : {
              personId: personId(link.person),
              state: 'MATCH',
              score: null,
              explanation: { reason: 'no other record matched' },
            },
      ),
    }));
    for (let i = 0; i < revisions.length; i += pageSize) {
      const page = revisions.slice(i, i + pageSize);
      const persons = i === 0 ? newPersons : []; // every new person row goes with the first page
      await this.dataSource.transaction((manager) => this.links.reviseAutomaticLinks(page, persons, manager));
    }
    report.persons += newPersons.length;
    return report;
  }

  private page(
    after: string,
    limit: number,
  ): Promise<{ resource_key: string; id: string; content: Patient }[]> {
    return this.dataSource.query(
      `SELECT resource_key, id, content FROM resource
       WHERE resource_type = 'Patient' AND NOT deleted AND resource_key > $1::bigint
       ORDER BY resource_key LIMIT $2`,
      [after, limit],
    );
  }

  /** One page in one transaction; a patient linked meanwhile keeps its links (its new person, if any, still exists). */
  private write(
    page: Decided[],
  ): Promise<{ linked: number; persons: number; alreadyLinked: number; foreign: string[] }> {
    return this.dataSource.transaction(async (manager: EntityManager) => {
      const linked = await this.links.lockPatients(
        page.map((each) => each.decision.patientId),
        manager,
      );
      const fresh = page.filter((each) => !linked.has(each.decision.patientId));
      const orphans = page
        .filter((each) => linked.has(each.decision.patientId) && each.decision.newPerson)
        .map((each) => each.decision.personId);
      if (orphans.length)
        await manager.query(
          `INSERT INTO identity_person (id, merged_into, version) SELECT unnest($1::uuid[]), NULL, 1
           ON CONFLICT DO NOTHING`,
          [orphans],
        );
      const keys = fresh.flatMap((each) => each.keys.map((key) => [key, each.decision.patientId]));
      if (keys.length)
        await manager.query(
          `INSERT INTO identity_block_key (key, patient_id)
           SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
          [keys.map(([key]) => key), keys.map(([, id]) => id)],
        );
      await this.links.recordFirstLinks(
        fresh.map((each) => each.decision),
        manager,
      );
      return {
        linked: fresh.length,
        persons: fresh.filter((each) => each.decision.newPerson).length + orphans.length,
        alreadyLinked: page.length - fresh.length,
        foreign: [...linked],
      };
    });
  }
}

/** A patient's links before and after settling, as the in-memory linker numbers persons. */
interface SettledRevision {
  patientId: string;
  remove: { person: number; state: 'MATCH' | 'POSSIBLE_MATCH' }[];
  /** `proposal` absent: the patient is a person of its own. */
  add: { person: number; state: 'MATCH' | 'POSSIBLE_MATCH'; proposal?: PersonProposal }[];
}

/** Sweeps over the doubts until one changes nothing (a bound keeps a pathological block from looping). */
const MAX_SETTLING_SWEEPS = 5;

/**
 * The re-evaluation pass of `IdentityRebuild`, in memory: the doubtful patients (those with POSSIBLE_MATCH links,
 * and the records of the persons they may be), in patient-id order as the stored pass takes them, each asked again
 * against every record and decided by the rules of `IdentityLinks.applyAutomatic` for AUTO links (the MATCH
 * proposed; with none, the patient's own person if it is alone in it, else a new one; the POSSIBLE_MATCH persons
 * proposed), each decision seen by the next. Swept again until nothing changes, so a stored re-evaluation pass
 * afterwards finds nothing to do. Returns each changed patient's links removed and added; a changed score alone is
 * not a change.
 */
function settle(
  linker: IncrementalLinker,
  possibleOf: Map<string, number[]>,
  foreign: ReadonlySet<string>,
): { asked: number; revisions: SettledRevision[] } {
  const original = new Map<string, { person: number; possible: number[] }>();
  const latest = new Map<string, PersonProposal[]>();
  let asked = 0;
  for (let sweep = 0; sweep < MAX_SETTLING_SWEEPS && possibleOf.size; sweep++) {
    const members = linker.membersByPerson();
    const count = new Map([...members].map(([person, ids]) => [person, ids.length]));
    const doubtful = new Set(possibleOf.keys());
    for (const persons of possibleOf.values())
      for (const person of persons) for (const member of members.get(person) ?? []) doubtful.add(member);
    let changed = false;
    for (const id of [...doubtful].filter((each) => !foreign.has(each)).sort()) {
      asked++;
      const proposals = linker.reconsider(id);
      const person = linker.personOfRecord(id)!;
      const match = proposals.find((proposal) => proposal.state === 'MATCH');
      const possible = proposals
        .filter((proposal) => proposal.state === 'POSSIBLE_MATCH')
        .map((proposal) => Number(proposal.personId));
      const alone = (count.get(person) ?? 0) <= 1;
      const target = match ? Number(match.personId) : alone ? person : undefined;
      const before = possibleOf.get(id) ?? [];
      if (target === person && sameSet(possible, before)) {
        if (original.has(id)) latest.set(id, proposals); // the same links, fresher scores
        continue;
      }
      if (!original.has(id)) original.set(id, { person, possible: before });
      const next = target ?? linker.newPerson();
      if (next !== person) {
        linker.moveTo(id, next);
        count.set(person, (count.get(person) ?? 1) - 1);
        count.set(next, (count.get(next) ?? 0) + 1);
      }
      if (possible.length) possibleOf.set(id, possible);
      else possibleOf.delete(id);
      latest.set(id, proposals);
      changed = true;
    }
    if (!changed) break;
  }
  const revisions: SettledRevision[] = [];
  for (const [patientId, was] of original) {
    const proposals = latest.get(patientId) ?? [];
    const person = linker.personOfRecord(patientId)!;
    const now: SettledRevision['add'] = [
      {
        person,
        state: 'MATCH',
        proposal: proposals.find((proposal) => proposal.state === 'MATCH'),
      },
      ...proposals
        .filter((proposal) => proposal.state === 'POSSIBLE_MATCH')
        .map((proposal) => ({ person: Number(proposal.personId), state: proposal.state, proposal })),
    ];
    const then: SettledRevision['remove'] = [
      { person: was.person, state: 'MATCH' },
      ...was.possible.map((other) => ({ person: other, state: 'POSSIBLE_MATCH' as const })),
    ];
    const same = (a: { person: number; state: string }, b: { person: number; state: string }) =>
      a.person === b.person && a.state === b.state;
    const remove = then.filter((link) => !now.some((other) => same(link, other)));
    const add = now.filter((link) => !then.some((other) => same(link, other)));
    if (remove.length || add.length) revisions.push({ patientId, remove, add });
  }
  return { asked, revisions: revisions.sort((a, b) => (a.patientId < b.patientId ? -1 : 1)) };
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((person) => b.includes(person));
}

/**
 * A promise awaited later (a page read ahead, a page being written): its failure must reach that await, not end the
 * process as an unhandled rejection while the other work runs.
 */
function quietUntilAwaited<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

interface Decided {
  decision: FirstLinks;
  /** Hashed blocking keys, as the stored linker writes them. */
  keys: string[];
}
