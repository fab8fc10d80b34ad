import { isFhirError } from '@continuum/fhir';
import { currentCorrelationId } from '@continuum/observability';
import type { AuditLog } from '@continuum/store';
import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';
import type { AccessContext } from '../access/access-context';
import { type AccessRequest, currentAccess, currentRequest } from '../access/access-scope';
import {
  type AuditedCaller,
  type AuditedInteraction,
  type AuditOutcome,
  buildAuditEvent,
  type DisclosedCount,
} from './audit-event.builder';

/** Appends the success event inside the caller's (the data write's) transaction. */
export type AuditInTransaction = (tx: postgres.TransactionSql) => Promise<void>;

/** What one data access touched, filled in as it goes so that a refusal is audited with what was asked for. */
export interface AuditTarget {
  patientIds: Set<string>;
  resources: string[];
}

/** The patients in whose compartments stored resources lie (one indexed look-up). */
export type PatientsOfResources = (refs: { resourceType: string; id: string }[]) => Promise<string[]>;

/** A request answered without a data access: refused or failed at the edge (authentication, input, rate limit). */
export interface EdgeAnswer {
  interaction: AuditedInteraction;
  status: number;
  description: string;
  /** Who asked, when the token could be read. */
  caller?: AuditedCaller;
  /** `Type/id` of resources the answer concerns (e.g. the items a disclosure revealed). */
  resources?: string[];
}

/**
 * Turns data accesses, and requests answered before any, into AuditEvents and waits until each is durably written
 * (AuditLog groups the commits): success, refusal (4xx) and failure (5xx) alike. Every event names the patients its
 * request names; a refusal or failure also those of the resource instance its path names, so an auditor finds a
 * refused access under the patient it concerned even when it never reached the data.
 */
export class AuditRecorder {
  constructor(
    private readonly log: AuditLog,
    private readonly observer: string,
    private readonly patientsOf: PatientsOfResources = () => Promise.resolve([]),
  ) {}

  /**
   * Runs `work` for the current caller and audits it, whatever the outcome. A write passes `inTransaction` to the
   * store so its success event commits with the data; otherwise (reads, refusals, bundles) the event is written
   * through the group-committing log before the caller is answered: awaited here, or, when the request has an
   * answer gate (`AccessRequest.holdAnswer`), handed to it so that no byte of the answer leaves before it commits.
   */
  async audited<T>(
    interaction: AuditedInteraction,
    work: (target: AuditTarget, access: AccessContext, inTransaction: AuditInTransaction) => Promise<T>,
  ): Promise<T> {
    const access = currentAccess();
    const request = currentRequest();
    const target: AuditTarget = {
      patientIds: new Set([...(access.patientIds ?? []), ...(request?.patientIds ?? [])]),
      resources: [],
    };
    let writtenWithData = false;
    const inTransaction: AuditInTransaction = async (tx) => {
      await this.log.appendIn(tx, this.event(interaction, access, target, 'success'));
      writtenWithData = true;
    };
    let value: T;
    try {
      value = await work(target, access, inTransaction);
    } catch (error) {
      const { outcome, description } = describe(error);
      (await this.instancePatients(request)).forEach((patient) => target.patientIds.add(patient));
      // the caller gets the original error even if the audit store is down as well (the edge then tries again)
      await this.log
        .record(this.event(interaction, access, target, outcome, description))
        .then(() => counted(request))
        .catch(() => undefined);
      throw error;
    }
    if (writtenWithData) counted(request);
    else {
      const durable = this.log.record(this.event(interaction, access, target, 'success')).then(() => counted(request));
      // the API's answer gate holds the answer until this commits: serialising it overlaps the commit
      // (and a stream's next page waits only for the commit before this one)
      await (request?.holdAnswer ? request.holdAnswer(durable) : durable);
    }
    return value;
  }

  /**
   * The success event of data that leaves at the caller's own checkpoint (a bulk export's file parts), appended
   * inside the transaction that records the checkpoint: the data cannot be listed without it.
   */
  async recordIn(
    tx: postgres.TransactionSql,
    interaction: AuditedInteraction,
    access: AccessContext,
    target: AuditTarget,
    disclosed: DisclosedCount[] = [],
  ): Promise<void> {
    await this.log.appendIn(tx, this.event(interaction, access, target, 'success', undefined, disclosed));
  }

  /** A request answered at the edge, before any data access: a refused caller, input, a rate limit, a failure. */
  async recordAnswer(request: AccessRequest, answer: EdgeAnswer): Promise<void> {
    const refused = answer.status >= 400;
    const patients = new Set([
      ...(request.patientIds ?? []),
      ...(refused ? await this.instancePatients(request) : []),
    ]);
    await this.log.record(
      buildAuditEvent({
        interaction: answer.interaction,
        outcome: answer.status >= 500 ? 'failed' : refused ? 'refused' : 'success',
        outcomeDescription: answer.description,
        access: answer.caller,
        patientIds: [...patients].sort(),
        resources: [
          ...(request.instance ? [`${request.instance.resourceType}/${request.instance.id}`] : []),
          ...(answer.resources ?? []),
        ],
        query: `${request.method} ${request.url}`,
        correlationId: request.correlationId ?? currentCorrelationId(),
        observer: this.observer,
      }),
    );
    counted(request);
  }

  /** The patients of the resource the request's path names; none when it does not exist or cannot be looked up. */
  private async instancePatients(request: AccessRequest | undefined): Promise<string[]> {
    if (!request?.instance) return [];
    return this.patientsOf([request.instance]).catch(() => []);
  }

  private event(
    interaction: AuditedInteraction,
    access: AccessContext,
    target: AuditTarget,
    outcome: AuditOutcome,
    description?: string,
    disclosed?: DisclosedCount[],
  ): AuditEvent {
    const request = currentRequest();
    // a Patient read or written is a patient concerned too (a create's id is only known once it is written)
    const patients = new Set(target.patientIds);
    for (const resource of target.resources) {
      const patient = /^Patient\/([^/]+)/.exec(resource)?.[1];
      if (patient) patients.add(patient);
    }
    return buildAuditEvent({
      interaction,
      outcome,
      outcomeDescription: description,
      access,
      patientIds: [...patients].sort(),
      resources: target.resources,
      disclosed,
      query: request ? `${request.method} ${request.url}` : undefined,
      correlationId: request?.correlationId ?? currentCorrelationId(),
      observer: this.observer,
    });
  }
}

function counted(request: AccessRequest | undefined): void {
  if (request) request.audited += 1;
}

function describe(error: unknown): { outcome: AuditOutcome; description: string } {
  if (isFhirError(error))
    return {
      outcome: error.status >= 500 ? 'failed' : 'refused',
      description: `${error.status} ${error.message}`,
    };
  return { outcome: 'failed', description: '500 internal error' };
}
