import { badRequest, conflict, forbidden, notFound } from '@continuum/fhir';
import type { ResourceStore } from '@continuum/store';
import type { IdentityLinks, LinkEventEntity, LinkState, PatientLinkEntity } from '@continuum/store/identity';
import { type AccessContext, can, IDENTITY_ADMIN } from '../access/access-context';
import type { AuditRecorder, AuditTarget } from '../audit/audit.recorder';
import type { Interaction } from '../scopes/smart-scope.parser';

/** A link awaiting review, with the records of the person it proposes (so a reviewer can compare them). */
export interface ReviewItem {
  link: PatientLinkEntity;
  personRecords: string[];
}

/** The person a patient is after a decision, and that person's records. */
export interface PersonOutcome {
  personId: string | undefined;
  records: string[];
}

/** Who a patient is to be linked to: a person, or the person another patient is. */
export type LinkTarget = { personId: string } | { patientId: string };

const PERSON_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Persons are named by their UUID: anything else is a 400 naming what was sent. */
export function assertPersonId(personId: string): string {
  if (!PERSON_ID.test(personId)) throw badRequest(`'${personId}' is not a person id (a UUID)`);
  return personId;
}

const AWAITING_REVIEW: readonly LinkState[] = ['POSSIBLE_MATCH', 'POSSIBLE_DUPLICATE'];

/**
 * The master patient index's operator work, for the identity administrator role only (identity-admin, with Patient
 * scopes): the review queue of POSSIBLE_MATCH links (accept → MANUAL MATCH, reject → MANUAL NO_MATCH), linking a
 * patient to a person and unlinking it, and a patient's link history. Every call is audited (success and refusal)
 * with the patients it concerns, through the same AuditRecorder as every data access. Decisions are MANUAL: the
 * matcher never overwrites them. Consent follows identity_link in SQL, so an unlinked record stops sharing the
 * person's objections at once.
 */
export class IdentityAdministration {
  constructor(
    private readonly links: IdentityLinks,
    private readonly store: ResourceStore,
    private readonly audit: AuditRecorder,
  ) {}

  /** Links awaiting review, oldest first (one patient's when given). */
  reviewQueue(limit = 50, patientId?: string): Promise<ReviewItem[]> {
    return this.administer('r', async (target) => {
      const queue = await this.links.reviewQueue(limit, { patientId });
      const items: ReviewItem[] = [];
      for (const link of queue) {
        const personRecords = await this.links.patientsOf(link.personId);
        [link.patientId, ...personRecords].forEach((patient) => target.patientIds.add(patient));
        items.push({ link, personRecords });
      }
      return items;
    });
  }

  /** The reviewer says the patient is this person: MANUAL MATCH (it leaves any other person). */
  accept(patientId: string, personId: string, reason?: string): Promise<PersonOutcome> {
    return this.decide(patientId, personId, 'MATCH', reason);
  }

  /** The reviewer says the patient is not this person: MANUAL NO_MATCH, never proposed again. */
  reject(patientId: string, personId: string, reason?: string): Promise<PersonOutcome> {
    return this.decide(patientId, personId, 'NO_MATCH', reason);
  }

  /** Links a patient to a person (or to the person another patient is): MANUAL MATCH. Returns the person. */
  link(patientId: string, to: LinkTarget, reason?: string): Promise<PersonOutcome> {
    return this.administer('u', async (target, access) => {
      target.patientIds.add(patientId);
      await this.store.read('Patient', patientId);
      const personId =
        'personId' in to ? assertPersonId(to.personId) : await this.personOfPatient(to.patientId, target);
      await this.changing(() =>
        this.links.link(patientId, personId, 'MATCH', {
          actor: access.subject,
          reason: reason ?? 'linked by an identity administrator',
        }),
      );
      return this.outcome(patientId, target);
    });
  }

  /**
   * Unlinks a patient from its person (or the person named): MANUAL NO_MATCH, and the patient becomes a person of
   * its own. Returns the person it now is.
   */
  unlink(patientId: string, personId?: string, reason?: string): Promise<PersonOutcome> {
    return this.administer('u', async (target, access) => {
      target.patientIds.add(patientId);
      await this.store.read('Patient', patientId);
      const from = personId !== undefined ? assertPersonId(personId) : await this.links.personOf(patientId);
      if (!from) throw conflict(`Patient/${patientId} is linked to no person: nothing to unlink`);
      (await this.links.patientsOf(from)).forEach((patient) => target.patientIds.add(patient));
      await this.changing(() =>
        this.links.unlink(patientId, from, {
          actor: access.subject,
          reason: reason ?? 'unlinked by an identity administrator',
        }),
      );
      return this.outcome(patientId, target);
    });
  }

  /** Every change of the patient's links, oldest first. */
  history(patientId: string): Promise<LinkEventEntity[]> {
    return this.administer('r', async (target) => {
      target.patientIds.add(patientId);
      await this.store.read('Patient', patientId);
      return this.links.history({ patientId });
    });
  }

  private decide(
    patientId: string,
    personId: string,
    state: LinkState,
    reason?: string,
  ): Promise<PersonOutcome> {
    return this.administer('u', async (target, access) => {
      target.patientIds.add(patientId);
      assertPersonId(personId);
      const pending = (await this.links.linksOf(patientId)).find(
        (link) => link.personId === personId && AWAITING_REVIEW.includes(link.state),
      );
      if (!pending) throw conflict(`Patient/${patientId} has no link to person ${personId} awaiting review`);
      (await this.links.patientsOf(personId)).forEach((patient) => target.patientIds.add(patient));
      const decision = {
        actor: access.subject,
        reason: reason ?? `review: ${state === 'MATCH' ? 'accepted' : 'rejected'}`,
      };
      await this.changing(() => this.links.link(patientId, personId, state, decision));
      return this.outcome(patientId, target);
    });
  }

  /** Who the patient is now, and that person's records (noted for the audit too). */
  private async outcome(patientId: string, target: AuditTarget): Promise<PersonOutcome> {
    const personId = await this.links.personOf(patientId);
    const records = personId ? await this.links.patientsOf(personId) : [patientId];
    records.forEach((patient) => target.patientIds.add(patient));
    return { personId, records };
  }

  private async personOfPatient(patientId: string, target: AuditTarget): Promise<string> {
    target.patientIds.add(patientId);
    await this.store.read('Patient', patientId);
    const person = await this.links.personOf(patientId);
    if (!person) throw conflict(`Patient/${patientId} is linked to no person yet`);
    return person;
  }

  /** The store's plain errors for an unknown person, as a 404 (a malformed person id is a 400 before any SQL). */
  private async changing<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof Error && /^Unknown person /.test(error.message)) throw notFound(error.message);
      throw error;
    }
  }

  /** Audited as an operation; refused unless the caller is an identity administrator with the Patient scope. */
  private administer<T>(
    interaction: Interaction,
    work: (target: AuditTarget, access: AccessContext) => Promise<T>,
  ): Promise<T> {
    return this.audit.audited('operation', async (target, access) => {
      if (access.role !== IDENTITY_ADMIN)
        throw forbidden(
          'Identity administration is for the identity administrator role (identity-admin) only',
        );
      if (!can(access, 'Patient', interaction))
        throw forbidden(
          `The token's scopes do not allow ${interaction === 'r' ? 'read' : 'update'} on Patient`,
        );
      return work(target, access);
    });
  }
}
