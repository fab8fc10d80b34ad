import { randomUUID } from 'node:crypto';
import { badRequest, forbidden, notFound } from '@continuum/fhir';
import { currentCorrelationId } from '@continuum/observability';
import type { PrivacyAlert, PrivacyAlerts } from '@continuum/store';
import type { AccessContext } from '../access/access-context';
import { buildAuditEvent } from '../audit/audit-event.builder';

/** What a privacy officer may conclude about a break-glass. */
export const ALERT_OUTCOMES: Record<string, string> = {
  appropriate: 'Appropriate: the access was justified',
  inappropriate: 'Inappropriate: refer for investigation',
  'follow-up': 'Needs follow-up with the user or their organisation',
};

/** The break-glass as the user gave it. */
export interface BreakGlassFacts {
  patientId: string;
  /** The patient as the user saw them (banner name and NHS number). */
  patientLabel?: string;
  reasonCode: string;
  reasonText: string;
  userName?: string;
  /** The user's role as the launching system said (e.g. the portal view). */
  userRole: string;
  /** The request, for the audit (path only). */
  url: string;
}

/**
 * The privacy officer's side of break-glass. Breaking the glass writes its AuditEvent (purpose ETREAT, BTG, the
 * reason) and raises an alert in the same transaction, so the officer's worklist has it as soon as it commits (well
 * within the 60 s the shared care record promises) and it can never be lost. Only auditors (the privacy-officer
 * role) see and close alerts; closing is audited too.
 */
export class PrivacyOffice {
  constructor(
    private readonly alerts: PrivacyAlerts,
    private readonly observer: string,
  ) {}

  async breakGlass(access: AccessContext, facts: BreakGlassFacts): Promise<string> {
    if (!access.breakGlassReason || access.role !== 'clinician')
      throw forbidden('Only a clinician giving a reason can break the glass');
    const id = randomUUID();
    const audit = buildAuditEvent({
      interaction: 'operation',
      outcome: 'success',
      outcomeDescription: `Break-glass on Patient/${facts.patientId} (privacy alert ${id}): ${facts.reasonCode}: ${facts.reasonText}`,
      access,
      patientIds: [facts.patientId],
      query: `POST ${facts.url}`,
      correlationId: currentCorrelationId(),
      observer: this.observer,
    });
    await this.alerts.raise(
      {
        id,
        subject: access.subject,
        userName: facts.userName ?? null,
        userRole: facts.userRole,
        organisation: access.organisation ?? 'unknown',
        patientId: facts.patientId,
        patientLabel: facts.patientLabel ?? null,
        reasonCode: facts.reasonCode,
        reasonText: facts.reasonText,
      },
      audit,
    );
    return id;
  }

  list(officer: AccessContext, status: 'open' | 'closed'): Promise<PrivacyAlert[]> {
    this.assertOfficer(officer);
    return this.alerts.list(status);
  }

  async get(officer: AccessContext, id: string): Promise<PrivacyAlert> {
    this.assertOfficer(officer);
    const alert = await this.alerts.get(id);
    if (!alert) throw notFound('No such privacy alert');
    return alert;
  }

  /** Closes an open alert with an outcome (and a note), audited in the same transaction; 404 when not open. */
  async close(
    officer: AccessContext,
    id: string,
    outcome: string,
    note: string | undefined,
  ): Promise<PrivacyAlert> {
    this.assertOfficer(officer);
    if (!ALERT_OUTCOMES[outcome]) throw badRequest(`Unknown outcome '${outcome}'`);
    const alert = await this.get(officer, id);
    const audit = buildAuditEvent({
      interaction: 'operation',
      outcome: 'success',
      outcomeDescription: `Privacy alert ${id} closed: ${outcome}${note ? `: ${note}` : ''}`,
      access: officer,
      patientIds: [alert.patientId],
      query: `POST /privacy/alerts/${id}/close`,
      correlationId: currentCorrelationId(),
      observer: this.observer,
    });
    const closed = await this.alerts.close(id, { by: officer.subject, outcome, note: note ?? null }, audit);
    if (!closed) throw notFound('This alert is already closed');
    return closed;
  }

  private assertOfficer(access: AccessContext): void {
    if (access.role !== 'auditor') throw forbidden('Only the privacy officer can review break-glass alerts');
  }
}
