import type postgres from 'postgres';
import type { IngestOutcome } from './ingested-message.entity';

export interface MessageKey {
  sourceSystem: string;
  messageId: string;
}

export interface MessageReceipt extends MessageKey {
  topic: string;
  partition: number;
  offset: string;
  receivedAt: Date;
  outcome: IngestOutcome;
  resourceCount: number;
  errorCode: string | null;
}

/** Reads and writes the ingestion ledger in batches: one statement per call, whatever the batch size. */
export class MessageLedger {
  constructor(private readonly sql: postgres.Sql) {}

  /**
   * The keys (as `source\u0000messageId`) of the given messages that were stored before. A message that was
   * dead-lettered does not count: once its cause is fixed, replaying it from the dead-letter topic must work.
   */
  async known(keys: MessageKey[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.sql<{ source_system: string; message_id: string }[]>`
      SELECT m.source_system, m.message_id
      FROM ingested_message m
      JOIN unnest(${keys.map((k) => k.sourceSystem)}::text[], ${keys.map((k) => k.messageId)}::text[])
        AS k(source_system, message_id)
        ON m.source_system = k.source_system AND m.message_id = k.message_id
      WHERE m.outcome = 'stored'`;
    return new Set(
      rows.map((row) => ledgerKey({ sourceSystem: row.source_system, messageId: row.message_id })),
    );
  }

  /** Records receipts; a stored receipt is final, a dead-lettered one is replaced when the message is retried. */
  async record(receipts: MessageReceipt[]): Promise<void> {
    if (receipts.length === 0) return;
    const column = <T>(pick: (receipt: MessageReceipt) => T) => receipts.map(pick);
    await this.sql`
      INSERT INTO ingested_message
        (source_system, message_id, topic, partition, kafka_offset, received_at, outcome, resource_count, error_code)
      SELECT s, m, t, p, o, r, oc, n, NULLIF(e, '') FROM unnest(
        ${column((r) => r.sourceSystem)}::text[],
        ${column((r) => r.messageId)}::text[],
        ${column((r) => r.topic)}::text[],
        ${column((r) => r.partition)}::int[],
        ${column((r) => r.offset)}::bigint[],
        ${column((r) => r.receivedAt.toISOString())}::timestamptz[],
        ${column((r) => r.outcome)}::text[],
        ${column((r) => r.resourceCount)}::int[],
        ${column((r) => r.errorCode ?? '')}::text[]
      ) AS receipt(s, m, t, p, o, r, oc, n, e)
      ON CONFLICT (source_system, message_id) DO UPDATE SET
        topic = excluded.topic, partition = excluded.partition, kafka_offset = excluded.kafka_offset,
        received_at = excluded.received_at, outcome = excluded.outcome, resource_count = excluded.resource_count,
        error_code = excluded.error_code
      WHERE ingested_message.outcome <> 'stored'`;
  }
}

export function ledgerKey(key: MessageKey): string {
  return `${key.sourceSystem}\u0000${key.messageId}`;
}
