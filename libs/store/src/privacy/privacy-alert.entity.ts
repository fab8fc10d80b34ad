import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A privacy officer's alert: someone broke the glass on a record. Written in the transaction of the break-glass
 * AuditEvent (PrivacyAlerts.raiseWithAudit), so an alert is never lost and never raised without its audit.
 */
@Entity({ name: 'privacy_alert' })
@Check('privacy_alert_status_check', `"status" IN ('open', 'closed')`)
@Index('privacy_alert_status_raised_idx', ['status', 'raisedAt'])
@Index('privacy_alert_patient_idx', ['patientId'])
export class PrivacyAlertEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'privacy_alert_pkey' })
  id!: string;

  @Column({ name: 'raised_at', type: 'timestamptz' })
  raisedAt!: Date;

  @Column({ name: 'audit_event_id', type: 'text' })
  auditEventId!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'user_name', type: 'text', nullable: true })
  userName!: string | null;

  @Column({ name: 'user_role', type: 'text' })
  userRole!: string;

  @Column({ type: 'text' })
  organisation!: string;

  @Column({ name: 'patient_id', type: 'text' })
  patientId!: string;

  /** The patient as the user saw them (name, NHS number), so the worklist needs no clinical read. */
  @Column({ name: 'patient_label', type: 'text', nullable: true })
  patientLabel!: string | null;

  @Column({ name: 'reason_code', type: 'text' })
  reasonCode!: string;

  @Column({ name: 'reason_text', type: 'text' })
  reasonText!: string;

  @Column({ type: 'text', default: 'open' })
  status!: 'open' | 'closed';

  @Column({ name: 'closed_by', type: 'text', nullable: true })
  closedBy!: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** The privacy officer's finding: appropriate, inappropriate, needs follow-up. */
  @Column({ type: 'text', nullable: true })
  outcome!: string | null;

  @Column({ name: 'outcome_note', type: 'text', nullable: true })
  outcomeNote!: string | null;
}
