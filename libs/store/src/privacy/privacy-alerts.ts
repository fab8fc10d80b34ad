import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';
import type { AuditLog } from '../audit/audit.log';
import { inTransaction } from '../database/transaction.runner';

/** A break-glass as the privacy officer reviews it. */
export interface PrivacyAlert {
  id: string;
  raisedAt: Date;
  auditEventId: string;
  subject: string;
  userName: string | null;
  userRole: string;
  organisation: string;
  patientId: string;
  patientLabel: string | null;
  reasonCode: string;
  reasonText: string;
  status: 'open' | 'closed';
  closedBy: string | null;
  closedAt: Date | null;
  outcome: string | null;
  outcomeNote: string | null;
}

export type NewPrivacyAlert = Omit<
  PrivacyAlert,
  'raisedAt' | 'auditEventId' | 'status' | 'closedBy' | 'closedAt' | 'outcome' | 'outcomeNote'
>;

const COLUMNS = (sql: postgres.Sql | postgres.TransactionSql) => sql`
  id, raised_at AS "raisedAt", audit_event_id AS "auditEventId", subject, user_name AS "userName",
  user_role AS "userRole", organisation, patient_id AS "patientId", patient_label AS "patientLabel",
  reason_code AS "reasonCode", reason_text AS "reasonText", status, closed_by AS "closedBy", closed_at AS "closedAt",
  outcome, outcome_note AS "outcomeNote"`;

/**
 * The privacy officer's alerts. Raising one and closing one each commit in the transaction of their AuditEvent
 * (appended to the chained trail under its lock), so an alert is never lost after a break-glass was recorded, and
 * no alert changes without an audit record.
 */
export class PrivacyAlerts {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly log: AuditLog,
  ) {}

  async raise(alert: NewPrivacyAlert, audit: AuditEvent): Promise<void> {
    await inTransaction(this.sql, async (tx) => {
      await this.log.appendIn(tx, audit);
      await tx`
        INSERT INTO privacy_alert (id, raised_at, audit_event_id, subject, user_name, user_role, organisation,
                                   patient_id, patient_label, reason_code, reason_text, status)
        VALUES (${alert.id}, ${new Date(audit.recorded!)}, ${audit.id!}, ${alert.subject}, ${alert.userName},
                ${alert.userRole}, ${alert.organisation}, ${alert.patientId}, ${alert.patientLabel},
                ${alert.reasonCode}, ${alert.reasonText}, 'open')`;
    });
  }

  /** Closes an open alert with the officer's outcome; undefined (nothing written) when it is not open. */
  async close(
    id: string,
    closing: { by: string; outcome: string; note: string | null },
    audit: AuditEvent,
  ): Promise<PrivacyAlert | undefined> {
    return inTransaction(this.sql, async (tx) => {
      const [closed] = await tx<PrivacyAlert[]>`
        UPDATE privacy_alert
        SET status = 'closed', closed_by = ${closing.by}, closed_at = ${new Date(audit.recorded!)},
            outcome = ${closing.outcome}, outcome_note = ${closing.note}
        WHERE id = ${id} AND status = 'open'
        RETURNING ${COLUMNS(tx)}`;
      if (closed) await this.log.appendIn(tx, audit);
      return closed;
    });
  }

  /** Alerts of one status, newest first. */
  list(status: 'open' | 'closed', limit = 200): Promise<PrivacyAlert[]> {
    return this.sql<PrivacyAlert[]>`
      SELECT ${COLUMNS(this.sql)} FROM privacy_alert WHERE status = ${status}
      ORDER BY raised_at DESC, id LIMIT ${limit}`;
  }

  async get(id: string): Promise<PrivacyAlert | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const [alert] = await this.sql<
      PrivacyAlert[]
    >`SELECT ${COLUMNS(this.sql)} FROM privacy_alert WHERE id = ${id}`;
    return alert;
  }
}
