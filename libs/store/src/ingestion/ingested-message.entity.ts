import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IngestOutcome = 'stored' | 'dead-lettered';

/**
 * The ledger of messages ingested from Kafka, keyed by (source system, message id): what makes ingestion
 * idempotent even for messages whose content carries no version, and what lets an operator trace a record back.
 */
@Entity({ name: 'ingested_message' })
@Index('ingested_message_received_at_idx', ['receivedAt'])
export class IngestedMessageEntity {
  @PrimaryColumn({ name: 'source_system', type: 'text' })
  sourceSystem!: string;

  @PrimaryColumn({ name: 'message_id', type: 'text' })
  messageId!: string;

  @Column({ name: 'topic', type: 'text' })
  topic!: string;

  @Column({ name: 'partition', type: 'integer' })
  partition!: number;

  @Column({ name: 'kafka_offset', type: 'bigint' })
  offset!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'outcome', type: 'text' })
  outcome!: IngestOutcome;

  @Column({ name: 'resource_count', type: 'integer', default: 0 })
  resourceCount!: number;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;
}
