import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  type LinkExplanation,
  type LinkOrigin,
  type LinkState,
  LinkEventEntity,
  PatientLinkEntity,
  PersonEntity,
} from './identity.entities';

/** What the matcher proposes for a source Patient: a person and how sure it is. */
export interface LinkProposal {
  personId: string;
  state: LinkState;
  /** The matcher's probability; null for a patient that is a person of its own. */
  score: number | null;
  explanation?: LinkExplanation;
}

/** An operator's (or a source's merge message's) decision: always wins over the matcher, and is kept in history. */
export interface ManualDecision {
  actor: string;
  reason?: string;
}

/**
 * The matcher's decision for a patient that holds no links yet: the person it is (a proposal's at MATCH, or a new
 * person's id when none is) and every proposal.
 */
export interface FirstLinks {
  patientId: string;
  personId: string;
  /** `personId` is a person of its own, to be created. */
  newPerson: boolean;
  proposals: LinkProposal[];
}

/** What changes in a patient's AUTO links when the matcher decides again (IdentityInitialLoad's settling). */
export interface LinkRevision {
  patientId: string;
  remove: { personId: string; state: LinkState }[];
  add: LinkProposal[];
}

export interface LinkHistoryQuery {
  patientId?: string;
  personId?: string;
  limit?: number;
}

/**
 * The master patient index's links, through TypeORM (control tables: few rows per person, written on identity
 * events, not on every resource). Every change appends an `identity_link_event` in the same transaction, and takes a
 * row lock on the patient's links first, so concurrent decisions about one patient serialise.
 *
 * The rule that makes manual decisions stick lives here: the matcher's proposals never replace or remove a MANUAL
 * link, and a patient whose MATCH is MANUAL keeps it whatever the matcher proposes later.
 */
export class IdentityLinks {
  constructor(private readonly dataSource: DataSource) {}

  /** The patient's current links, MATCH/REDIRECT first. */
  linksOf(patientId: string): Promise<PatientLinkEntity[]> {
    return this.dataSource.getRepository(PatientLinkEntity).find({
      where: { patientId },
      order: { state: 'ASC', updatedAt: 'DESC' },
    });
  }

  /** The person a patient is (its MATCH or REDIRECT link), if any. */
  async personOf(patientId: string): Promise<string | undefined> {
    const link = await this.dataSource
      .getRepository(PatientLinkEntity)
      .createQueryBuilder('link')
      .where('link.patient_id = :patientId', { patientId })
      .andWhere(`link.state IN ('MATCH', 'REDIRECT')`)
      .getOne();
    return link?.personId;
  }

  /** The patients that are this person (MATCH links). */
  async patientsOf(personId: string): Promise<string[]> {
    const links = await this.dataSource
      .getRepository(PatientLinkEntity)
      .find({ where: { personId, state: 'MATCH' }, order: { patientId: 'ASC' } });
    return links.map((link) => link.patientId);
  }

  /**
   * Applies the matcher's decision for a patient: at most one MATCH (a new person when none is proposed), and any
   * POSSIBLE_MATCH/NO_MATCH proposals. Manual links are left as they are; a proposal equal to the current link
   * changes nothing (replays are harmless). Returns the person the patient now is, if any.
   */
  applyAutomatic(
    patientId: string,
    proposals: LinkProposal[],
    inTransaction?: EntityManager,
  ): Promise<string | undefined> {
    return this.transaction(inTransaction, async (manager) => {
      const current = await this.lockLinks(manager, patientId);
      const manualMatch = current.find((link) => link.origin === 'MANUAL' && isIdentity(link.state));
      if (manualMatch) return manualMatch.personId;
      const decided = new Map(
        current.filter((link) => link.origin === 'MANUAL').map((link) => [link.personId, link]),
      );
      const identities = proposals.filter((proposal) => isIdentity(proposal.state));
      if (identities.length > 1)
        throw new Error(`At most one MATCH per patient; ${identities.length} proposed`);
      const wanted = identities.length ? proposals : [...proposals, await this.ownPerson(manager, current)];
      for (const link of current)
        if (link.origin === 'AUTO' && !wanted.some((proposal) => proposal.personId === link.personId))
          await this.remove(manager, link, { actor: 'matcher', reason: 'no longer proposed' });
      for (const proposal of wanted) {
        if (decided.has(proposal.personId)) continue;
        await this.put(manager, patientId, proposal.personId, proposal.state, 'AUTO', current, {
          actor: 'matcher',
          score: proposal.score,
          explanation: proposal.explanation,
        });
      }
      return (await this.lockLinks(manager, patientId)).find((link) => isIdentity(link.state))?.personId;
    });
  }

  /**
   * What `applyAutomatic` records for patients that hold no links yet, in a few set-based statements rather than
   * several per patient: each new person, each link (AUTO) and its history event. The caller holds the patients'
   * locks (`lockPatients`) and has seen that they hold no links, so there is no manual decision to respect.
   */
  async recordFirstLinks(decisions: readonly FirstLinks[], manager: EntityManager): Promise<void> {
    if (!decisions.length) return;
    const newPersons = decisions
      .filter((decision) => decision.newPerson)
      .map((decision) => decision.personId);
    if (newPersons.length)
      await manager.query(
        `INSERT INTO identity_person (id, merged_into, version) SELECT unnest($1::uuid[]), NULL, 1`,
        [newPersons],
      );
    const links = decisions.flatMap((decision) => [
      ...decision.proposals.map((proposal) => ({ patientId: decision.patientId, ...proposal })),
      ...(decision.newPerson
        ? [
            {
              patientId: decision.patientId,
              personId: decision.personId,
              state: 'MATCH' as const,
              score: null,
              explanation: { reason: 'no other record matched' },
            },
          ]
        : []),
    ]);
    const column = <T>(of: (link: (typeof links)[number]) => T) => links.map(of);
    await manager.query(
      `INSERT INTO identity_link (patient_id, person_id, state, origin, score, explanation, version)
       SELECT patient_id, person_id, state, 'AUTO', score, explanation, 1
       FROM unnest($1::text[], $2::uuid[], $3::text[], $4::float8[], $5::jsonb[])
         AS link(patient_id, person_id, state, score, explanation)`,
      [
        column((link) => link.patientId),
        column((link) => link.personId),
        column((link) => link.state),
        column((link) => link.score),
        column((link) => (link.explanation ? JSON.stringify(link.explanation) : null)),
      ],
    );
    await manager.query(
      `INSERT INTO identity_link_event (patient_id, person_id, previous_state, state, origin, score, actor, reason)
       SELECT patient_id, person_id, NULL, state, 'AUTO', score, 'matcher', NULL
       FROM unnest($1::text[], $2::uuid[], $3::text[], $4::float8[]) AS link(patient_id, person_id, state, score)`,
      [
        column((link) => link.patientId),
        column((link) => link.personId),
        column((link) => link.state),
        column((link) => link.score),
      ],
    );
  }

  /**
   * The matcher's second thoughts about patients whose links it wrote itself (AUTO) and nobody has touched since:
   * the links it no longer proposes removed, the new ones added, each with its history event, in a few set-based
   * statements. A link that is not exactly as expected (an operator or ingest got there first) is left alone.
   */
  async reviseAutomaticLinks(
    revisions: readonly LinkRevision[],
    newPersons: readonly string[],
    manager: EntityManager,
  ): Promise<void> {
    if (!revisions.length) return;
    await this.lockPatients(
      revisions.map((revision) => revision.patientId),
      manager,
    );
    if (newPersons.length)
      await manager.query(
        `INSERT INTO identity_person (id, merged_into, version) SELECT unnest($1::uuid[]), NULL, 1`,
        [newPersons],
      );
    const removed = revisions.flatMap((revision) =>
      revision.remove.map((link) => ({ patientId: revision.patientId, ...link })),
    );
    if (removed.length)
      await manager.query(
        `WITH gone AS (
           DELETE FROM identity_link l
           USING unnest($1::text[], $2::uuid[], $3::text[]) AS r(patient_id, person_id, state)
           WHERE l.patient_id = r.patient_id AND l.person_id = r.person_id AND l.state = r.state AND l.origin = 'AUTO'
           RETURNING l.patient_id, l.person_id, l.state)
         INSERT INTO identity_link_event (patient_id, person_id, previous_state, state, origin, score, actor, reason)
         SELECT patient_id, person_id, state, NULL, 'AUTO', NULL, 'matcher', $4 FROM gone`,
        [
          removed.map((link) => link.patientId),
          removed.map((link) => link.personId),
          removed.map((link) => link.state),
          'no longer proposed once every record was in',
        ],
      );
    const added = revisions.flatMap((revision) =>
      revision.add.map((proposal) => ({ patientId: revision.patientId, ...proposal })),
    );
    if (added.length)
      await manager.query(
        `WITH made AS (
           INSERT INTO identity_link (patient_id, person_id, state, origin, score, explanation, version)
           SELECT patient_id, person_id, state, 'AUTO', score, explanation, 1
           FROM unnest($1::text[], $2::uuid[], $3::text[], $4::float8[], $5::jsonb[])
             AS link(patient_id, person_id, state, score, explanation)
           ON CONFLICT DO NOTHING
           RETURNING patient_id, person_id, state, score)
         INSERT INTO identity_link_event (patient_id, person_id, previous_state, state, origin, score, actor, reason)
         SELECT patient_id, person_id, NULL, state, 'AUTO', score, 'matcher', $6 FROM made`,
        [
          added.map((link) => link.patientId),
          added.map((link) => link.personId),
          added.map((link) => link.state),
          added.map((link) => link.score),
          added.map((link) => (link.explanation ? JSON.stringify(link.explanation) : null)),
          'proposed once every record was in',
        ],
      );
  }

  /**
   * Serialises decisions about these patients with every other (the advisory lock `lockLinks` takes, in one sorted
   * order) and answers which of them hold links already.
   */
  async lockPatients(patientIds: readonly string[], manager: EntityManager): Promise<Set<string>> {
    if (!patientIds.length) return new Set();
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('identity:' || id, 0))
       FROM (SELECT unnest($1::text[]) AS id ORDER BY 1) patients`,
      [patientIds],
    );
    const rows: { patient_id: string }[] = await manager.query(
      `SELECT DISTINCT patient_id FROM identity_link WHERE patient_id = ANY($1::text[])`,
      [patientIds],
    );
    return new Set(rows.map((row) => row.patient_id));
  }

  /**
   * An operator's link (or a source's merge): the patient becomes `state` for this person, MANUAL. Linking as
   * MATCH moves the patient: its other MATCH link, whatever its origin, ends (recorded as NO_MATCH, MANUAL).
   */
  link(patientId: string, personId: string, state: LinkState, decision: ManualDecision): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.lockLinks(manager, patientId);
      if (!(await manager.getRepository(PersonEntity).existsBy({ id: personId })))
        throw new Error(`Unknown person ${personId}`);
      if (isIdentity(state))
        for (const link of current.filter((each) => isIdentity(each.state) && each.personId !== personId))
          await this.put(manager, patientId, link.personId, 'NO_MATCH', 'MANUAL', current, {
            ...decision,
            reason: decision.reason ?? `moved to person ${personId}`,
          });
      await this.put(manager, patientId, personId, state, 'MANUAL', current, decision);
    });
  }

  /** An operator's unlink: the patient is not this person (NO_MATCH, MANUAL); it becomes a person of its own. */
  unlink(patientId: string, personId: string, decision: ManualDecision): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.lockLinks(manager, patientId);
      await this.put(manager, patientId, personId, 'NO_MATCH', 'MANUAL', current, decision);
      const still = (await this.lockLinks(manager, patientId)).find((link) => isIdentity(link.state));
      if (still) return still.personId;
      const own = await this.newPerson(manager);
      await this.put(manager, patientId, own, 'MATCH', 'MANUAL', current, {
        ...decision,
        reason: `unlinked from person ${personId}`,
      });
      return own;
    });
  }

  /** Links awaiting review (POSSIBLE_MATCH, POSSIBLE_DUPLICATE), oldest first; one patient's only if given. */
  reviewQueue(limit = 50, options: { patientId?: string } = {}): Promise<PatientLinkEntity[]> {
    const query = this.dataSource
      .getRepository(PatientLinkEntity)
      .createQueryBuilder('link')
      .where(`link.state IN ('POSSIBLE_MATCH', 'POSSIBLE_DUPLICATE')`);
    if (options.patientId) query.andWhere('link.patient_id = :patientId', { patientId: options.patientId });
    return query.orderBy('link.updated_at', 'ASC').limit(limit).getMany();
  }

  /** The full history of a patient's or a person's links, oldest first. */
  history(query: LinkHistoryQuery): Promise<LinkEventEntity[]> {
    if (!query.patientId && !query.personId) throw new Error('history needs a patient or a person');
    return this.dataSource.getRepository(LinkEventEntity).find({
      where: {
        ...(query.patientId ? { patientId: query.patientId } : {}),
        ...(query.personId ? { personId: query.personId } : {}),
      },
      order: { seq: 'ASC' },
      take: query.limit ?? 1000,
    });
  }

  /** In the caller's transaction (the linker's, which holds its block locks), or in one of its own. */
  private transaction<T>(
    manager: EntityManager | undefined,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  /** Row locks on the patient's links; a patient with none yet is serialised by an advisory lock on its id. */
  private async lockLinks(manager: EntityManager, patientId: string): Promise<PatientLinkEntity[]> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('identity:' || $1, 0))`, [patientId]);
    return manager
      .getRepository(PatientLinkEntity)
      .createQueryBuilder('link')
      .setLock('pessimistic_write')
      .where('link.patient_id = :patientId', { patientId })
      .getMany();
  }

  /**
   * When the matcher finds no one, the patient is a person of its own: the one it already is if no other patient
   * shares it (replays and re-evaluations do not mint persons), else a new one.
   */
  private async ownPerson(manager: EntityManager, current: PatientLinkEntity[]): Promise<LinkProposal> {
    const own = current.find((link) => link.origin === 'AUTO' && isIdentity(link.state));
    const alone =
      own &&
      (await manager.getRepository(PatientLinkEntity).countBy({ personId: own.personId, state: 'MATCH' })) ===
        1;
    const personId = own && alone ? own.personId : await this.newPerson(manager);
    return { personId, state: 'MATCH', score: null, explanation: { reason: 'no other record matched' } };
  }

  private async newPerson(manager: EntityManager): Promise<string> {
    const person = manager.getRepository(PersonEntity).create({ id: randomUUID(), mergedInto: null });
    await manager.getRepository(PersonEntity).insert(person);
    return person.id;
  }

  /** Creates or changes one link and appends its event; an unchanged link writes nothing. */
  private async put(
    manager: EntityManager,
    patientId: string,
    personId: string,
    state: LinkState,
    origin: LinkOrigin,
    current: PatientLinkEntity[],
    detail: { actor: string; reason?: string; score?: number | null; explanation?: LinkExplanation },
  ): Promise<void> {
    const existing = current.find((link) => link.personId === personId);
    const previousState = existing?.state ?? null;
    const links = manager.getRepository(PatientLinkEntity);
    if (existing && existing.state === state && existing.origin === origin) {
      // the same decision with a fresher score (the person gained a record): kept current, but not a history event
      if (existing.score !== (detail.score ?? null) && detail.score !== undefined) {
        await links.update(
          { patientId, personId },
          { score: detail.score, explanation: detail.explanation ?? null },
        );
        existing.score = detail.score;
      }
      return;
    }
    if (existing) {
      // release the one-MATCH slot before another link takes it in this transaction
      await links.update(
        { patientId, personId },
        {
          state,
          origin,
          score: detail.score ?? null,
          explanation: detail.explanation ?? (detail.reason ? { reason: detail.reason } : null),
        },
      );
      existing.state = state;
      existing.origin = origin;
      existing.score = detail.score ?? null;
    } else {
      await links.insert({
        patientId,
        personId,
        state,
        origin,
        score: detail.score ?? null,
        explanation: detail.explanation ?? (detail.reason ? { reason: detail.reason } : null),
      });
      current.push(links.create({ patientId, personId, state, origin, score: detail.score ?? null }));
    }
    await manager.getRepository(LinkEventEntity).insert({
      patientId,
      personId,
      previousState,
      state,
      origin,
      score: detail.score ?? null,
      actor: detail.actor,
      reason: detail.reason ?? null,
    });
  }

  private async remove(
    manager: EntityManager,
    link: PatientLinkEntity,
    detail: { actor: string; reason: string },
  ) {
    await manager
      .getRepository(PatientLinkEntity)
      .delete({ patientId: link.patientId, personId: link.personId });
    await manager.getRepository(LinkEventEntity).insert({
      patientId: link.patientId,
      personId: link.personId,
      previousState: link.state,
      state: null,
      origin: link.origin,
      score: null,
      actor: detail.actor,
      reason: detail.reason,
    });
  }
}

/** MATCH and REDIRECT say who the patient is; the other states are candidates or refusals. */
function isIdentity(state: LinkState): boolean {
  return state === 'MATCH' || state === 'REDIRECT';
}
