import { randomUUID } from 'node:crypto';
import {
  DEFAULT_LINKING_LIMITS,
  DEFAULT_MATCH_MODEL,
  demographicsOf,
  IncrementalLinker,
  prepare,
} from '@continuum/fhir';
import type { Patient } from 'fhir/r4';
import type { DataSource, EntityManager } from 'typeorm';
import { hashBlockKey } from './block-index';
import type { FirstLinks, IdentityLinks } from './identity-links.repository';
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
    const report: InitialLoadReport = { linked: 0, persons: 0, alreadyLinked: 0 };
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
          onProgress?.(report.linked + report.alreadyLinked, lastKey);
        }),
      );
      if (rows.length < pageSize) break;
    }
    await writing;
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
  private write(page: Decided[]): Promise<{ linked: number; persons: number; alreadyLinked: number }> {
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
      };
    });
  }
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
