import type { Queryable } from '../store.types';
import { chainHash, GENESIS_HASH } from './audit-chain';
import { AuditEventRepository } from './audit-event.repository';

export interface ChainReport {
  /** Rows checked. */
  checked: number;
  /** The first broken link, if any: where and why. */
  broken?: { seq: string; reason: string };
}

const CHUNK = 2000;

/**
 * Walks the audit chain from the first row: positions without gaps, each row's prev_hash equal to its
 * predecessor's hash, each hash recomputed from the stored content. Stops at the first broken link.
 */
export class AuditChainVerifier {
  constructor(private readonly repository = new AuditEventRepository()) {}

  async verify(sql: Queryable, onProgress?: (checked: number) => void): Promise<ChainReport> {
    let expectedSeq = 1n;
    let prev = GENESIS_HASH;
    let checked = 0;
    for (;;) {
      const rows = await this.repository.chunk(sql, String(expectedSeq - 1n), CHUNK);
      for (const row of rows) {
        const broken = (reason: string): ChainReport => ({ checked, broken: { seq: row.seq, reason } });
        if (BigInt(row.seq) !== expectedSeq) return broken(`row ${expectedSeq} is missing`);
        if (row.prev_hash !== prev) return broken("prev_hash does not match the previous row's hash");
        if (chainHash(row.seq, row.prev_hash, row.content) !== row.hash)
          return broken('content does not match its hash (altered)');
        prev = row.hash;
        expectedSeq += 1n;
        checked += 1;
      }
      onProgress?.(checked);
      if (rows.length < CHUNK) return { checked };
    }
  }
}
