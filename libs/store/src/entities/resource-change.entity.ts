import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ChangeOperation = 'create' | 'update' | 'delete';

/**
 * The outbox: one row per committed change, written in the same transaction as the change. `seq` orders rows
 * but can show gaps while transactions are in flight, so the one relay claims rows (SKIP LOCKED) and deletes them
 * after publishing instead of keeping a cursor (see docs/store-design.md).
 */
@Entity({ name: 'resource_change' })
@Index('resource_change_tx_seq_idx', ['txId', 'seq'])
@Check('resource_change_operation_ck', `operation IN ('create', 'update', 'delete')`)
export class ResourceChangeEntity {
  @PrimaryGeneratedColumn('increment', {
    name: 'seq',
    type: 'bigint',
    primaryKeyConstraintName: 'resource_change_pkey',
  })
  seq!: string;

  /** The writing transaction's id (epoch-extended, as txid_current() gives it). */
  @Column({ name: 'tx_id', type: 'bigint', default: () => 'txid_current()' })
  txId!: string;

  @Column({ name: 'resource_type', type: 'text' })
  resourceType!: string;

  @Column({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'resource_key', type: 'bigint' })
  resourceKey!: string;

  @Column({ name: 'version_id', type: 'integer' })
  versionId!: number;

  @Column({ name: 'operation', type: 'text' })
  operation!: ChangeOperation;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;

  @Column({ name: 'source_system', type: 'text', nullable: true })
  sourceSystem!: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;
}
