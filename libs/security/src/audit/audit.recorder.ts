import { isFhirError } from '@continuum/fhir';
import { currentCorrelationId } from '@continuum/observability';
import type { AuditLog } from '@continuum/store';
import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';
import type { AccessContext } from '../access/access-context';
import { type AccessRequest, currentAccess, currentRequest } from '../access/access-scope';
import { type AuditedInteraction, type AuditOutcome, buildAuditEvent } from './audit-event.builder';

/** What one data access touched, filled in as it goes so that a refusal is audited with what was asked for. */
/** Appends the success event inside the caller's (the data write's) transaction. */
export type AuditInTransaction = (tx: postgres.TransactionSql) => Promise<void>;

export interface AuditTarget {
  patientIds: Set<string>;
  resources: string[];
}

/**
 * Turns data accesses into AuditEvents and waits until each is durably written (AuditLog groups the commits):
 * success, refusal (4xx) and failure (5xx) alike.
 */
export class AuditRecorder {
  constructor(
    private readonly log: AuditLog,
    private readonly observer: string,
  ) {}

  /**
   * Runs `work` for the current caller and audits it, whatever the outcome. A write passes `inTransaction` to the
   * store so its success event commits with the data; otherwise (reads, refusals, bundles) the event is written
   * through the group-committing log before the caller is answered.
   */
  async audited<T>(
    interaction: AuditedInteraction,
    work: (target: AuditTarget, access: AccessContext, inTransaction: AuditInTransaction) => Promise<T>,
  ): Promise<T> {
    const access = currentAccess();
    const target: AuditTarget = { patientIds: new Set(access.patientIds ?? []), resources: [] };
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
      // the caller gets the original error even if the audit store is down as well
      await this.log
        .record(this.event(interaction, access, target, outcome, description))
        .catch(() => undefined);
      throw error;
    }
    if (!writtenWithData) await this.log.record(this.event(interaction, access, target, 'success'));
    return value;
  }

  /** A request refused before any caller was identified (no token, a bad token). */
  recordRejectedCaller(request: AccessRequest, description: string): Promise<void> {
    return this.log.record(
      buildAuditEvent({
        interaction: 'operation',
        outcome: 'refused',
        outcomeDescription: description,
        patientIds: [],
        query: `${request.method} ${request.url}`,
        correlationId: request.correlationId ?? currentCorrelationId(),
        observer: this.observer,
      }),
    );
  }

  private event(
    interaction: AuditedInteraction,
    access: AccessContext,
    target: AuditTarget,
    outcome: AuditOutcome,
    description?: string,
  ): AuditEvent {
    const request = currentRequest();
    return buildAuditEvent({
      interaction,
      outcome,
      outcomeDescription: description,
      access,
      patientIds: [...target.patientIds].sort(),
      resources: target.resources,
      query: request ? `${request.method} ${request.url}` : undefined,
      correlationId: request?.correlationId ?? currentCorrelationId(),
      observer: this.observer,
    });
  }
}

function describe(error: unknown): { outcome: AuditOutcome; description: string } {
  if (isFhirError(error))
    return {
      outcome: error.status >= 500 ? 'failed' : 'refused',
      description: `${error.status} ${error.message}`,
    };
  return { outcome: 'failed', description: 'internal error' };
}
