import type postgres from 'postgres';
import type { ChangeOperation } from '../entities/resource-change.entity';

/** One claimed outbox row, as relayed (no resource content: the change feed carries no patient data). */
export interface OutboxChange {
  seq: string;
  resourceType: string;
  id: string;
  versionId: number;
  operation: ChangeOperation;
  changedAt: Date;
  sourceSystem: string | null;
}

/**
 * The relay's side of the `resource_change` outbox. Rows are claimed in `seq` order with FOR UPDATE SKIP LOCKED,
 * so several relays share the work without coordination, and deleted only in the claiming transaction after the
 * publish succeeded: a failed publish rolls back and the rows wait for the next attempt. A row of a transaction
 * still in flight is invisible until it commits; it is then claimed by a later batch (consumers rely on versions,
 * not on arrival order).
 */
export class OutboxRepository {
  constructor(private readonly sql: postgres.Sql) {}

  /** Claims up to `limit` rows, hands them to `publish`, and deletes them once it resolved. Returns the count. */
  async relayBatch(limit: number, publish: (changes: OutboxChange[]) => Promise<void>): Promise<number> {
    return this.sql.begin(async (tx) => {
      const rows = await tx<OutboxChange[]>`
        SELECT seq, resource_type AS "resourceType", id, version_id AS "versionId", operation,
               changed_at AS "changedAt", source_system AS "sourceSystem"
        FROM resource_change
        ORDER BY seq
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`;
      if (rows.length === 0) return 0;
      await publish(rows);
      await tx`DELETE FROM resource_change WHERE seq = ANY(${rows.map((row) => row.seq)}::bigint[])`;
      return rows.length;
    });
  }

  /** Rows waiting to be relayed, and the commit time of the oldest (for the backlog metrics). */
  async backlog(): Promise<{ rows: number; oldestChangedAt: Date | null }> {
    const [row] = await this.sql<{ rows: string; oldest: Date | null }[]>`
      SELECT count(*) AS rows, min(changed_at) AS oldest FROM resource_change`;
    return { rows: Number(row.rows), oldestChangedAt: row.oldest };
  }
}
