import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The audit trail: one row per AuditEvent, append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and chained:
 * `hash` = sha-256 of a canonical serialisation of every other column, the previous row's hash included, `seq`
 * gapless (docs/security.md; `chain_version` 1 rows, written before, hashed their content only).
 */
@Entity({ name: 'audit_event' })
@Index('audit_event_recorded_idx', ['recorded'])
@Index('audit_event_id_uq', ['id'], { unique: true })
@Index('audit_event_patient_ids_gin', { synchronize: false })
export class AuditEventEntity {
  /** Position in the chain, assigned under the chain lock: 1, 2, 3 ... without gaps. */
  @PrimaryColumn({ name: 'seq', type: 'bigint', primaryKeyConstraintName: 'audit_event_pkey' })
  seq!: string;

  @Column({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'recorded', type: 'timestamptz' })
  recorded!: Date;

  /** Patients the event names, for auditors' per-patient searches. */
  @Column({ name: 'patient_ids', type: 'text', array: true, default: () => "'{}'" })
  patientIds!: string[];

  /** The `sub` of the caller, for per-user searches. */
  @Column({ name: 'agent', type: 'text', nullable: true })
  agent!: string | null;

  @Column({ name: 'subtype', type: 'text' })
  subtype!: string;

  @Column({ name: 'outcome', type: 'text' })
  outcome!: string;

  @Column({ name: 'content', type: 'jsonb' })
  content!: object;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ name: 'hash', type: 'text' })
  hash!: string;

  /** How `hash` was computed (audit-chain.ts): 1 over seq, prev_hash and content; 2 over every column. */
  @Column({ name: 'chain_version', type: 'smallint', default: 1 })
  chainVersion!: number;
}
