import type { ChangeOperation } from '../entities';
import type { Queryable } from '../store.types';

export interface ResourceChange {
  seq: string;
  txId: string;
  resourceType: string;
  id: string;
  resourceKey: string;
  versionId: number;
  operation: ChangeOperation;
  changedAt: Date;
  sourceSystem: string | null;
  requestId: string | null;
}

/** Where a relay has read up to: the last change it handled (null to start from the beginning). */
export interface ChangeCursor {
  txId: string;
  seq: string;
}

/**
 * Reads the outbox safely in commit-compatible order. `seq` alone is not a safe cursor: a transaction that took
 * seq 10 may commit after one that took seq 11, and a relay that moved past 11 would never see 10. So rows are
 * read in (tx_id, seq) order and only from transactions older than the oldest one still running (the snapshot's
 * xmin): every transaction below it has finished, and every transaction that can still commit has a larger
 * tx_id, so nothing can ever appear behind the cursor. The price is latency: a long transaction holds the relay back.
 */
export class ResourceChangeReader {
  async readAfter(sql: Queryable, cursor: ChangeCursor | null, limit = 1000): Promise<ResourceChange[]> {
    const after = cursor ?? { txId: '0', seq: '0' };
    const rows = await sql<
      {
        seq: string;
        tx_id: string;
        resource_type: string;
        id: string;
        resource_key: string;
        version_id: number;
        operation: ChangeOperation;
        changed_at: Date;
        source_system: string | null;
        request_id: string | null;
      }[]
    >`
      SELECT seq, tx_id, resource_type, id, resource_key, version_id, operation, changed_at, source_system, request_id
      FROM resource_change
      WHERE (tx_id, seq) > (${after.txId}::bigint, ${after.seq}::bigint)
        AND tx_id < txid_snapshot_xmin(txid_current_snapshot())
      ORDER BY tx_id, seq
      LIMIT ${limit}`;
    return rows.map((row) => ({
      seq: row.seq,
      txId: row.tx_id,
      resourceType: row.resource_type,
      id: row.id,
      resourceKey: row.resource_key,
      versionId: row.version_id,
      operation: row.operation,
      changedAt: row.changed_at,
      sourceSystem: row.source_system,
      requestId: row.request_id,
    }));
  }

  static cursorOf(change: ResourceChange): ChangeCursor {
    return { txId: change.txId, seq: change.seq };
  }
}
