import type { Queryable } from '../store.types';
import { canonicalJson, chainHash, GENESIS_HASH, rowHash } from './audit-chain';
import { AuditEventRepository, type StoredAuditRow } from './audit-event.repository';
import { type AuditEventColumns, legacyColumnsOf } from './audit-row';

export interface ChainReport {
  /** Rows checked. */
  checked: number;
  /** The first broken link, if any: where and why. */
  broken?: { seq: string; reason: string };
}

const CHUNK = 2000;
const DERIVED: (keyof AuditEventColumns)[] = ['id', 'recorded', 'patientIds', 'agent', 'subtype', 'outcome'];
const COLUMN_NAMES: Record<keyof AuditEventColumns, string> = {
  id: 'id',
  recorded: 'recorded',
  patientIds: 'patient_ids',
  agent: 'agent',
  subtype: 'subtype',
  outcome: 'outcome',
};

/**
 * Walks the audit chain from the first row: positions without gaps, each row's prev_hash equal to its
 * predecessor's hash, each hash recomputed from the stored row. A chain version 2 row's hash covers every column;
 * a version 1 row's covers its content, and its other columns must equal what the content gives (legacyColumnsOf),
 * so an edit to any column of any row is found. Stops at the first broken link.
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
        if (BigInt(row.seq) !== expectedSeq)
          return { checked, broken: { seq: row.seq, reason: `row ${expectedSeq} is missing` } };
        const reason =
          row.prev_hash !== prev ? "prev_hash does not match the previous row's hash" : brokenLink(row);
        if (reason) return { checked, broken: { seq: row.seq, reason } };
        prev = row.hash;
        expectedSeq += 1n;
        checked += 1;
      }
      onProgress?.(checked);
      if (rows.length < CHUNK) return { checked };
    }
  }
}

/** Why this row's own link does not hold, or undefined when it does. */
function brokenLink(row: StoredAuditRow): string | undefined {
  if (row.chain_version === 2) {
    const recomputed = rowHash({
      seq: row.seq,
      id: row.id,
      recorded: row.recorded,
      patientIds: row.patient_ids,
      agent: row.agent,
      subtype: row.subtype,
      outcome: row.outcome,
      content: row.content,
      prevHash: row.prev_hash,
      chainVersion: row.chain_version,
    });
    return recomputed === row.hash ? undefined : 'row does not match its hash (a column was altered)';
  }
  if (row.chain_version === 1) {
    if (chainHash(row.seq, row.prev_hash, row.content) !== row.hash)
      return 'content does not match its hash (altered)';
    const expected = legacyColumnsOf(row.content);
    const stored: AuditEventColumns = {
      id: row.id,
      recorded: row.recorded,
      patientIds: row.patient_ids,
      agent: row.agent,
      subtype: row.subtype,
      outcome: row.outcome,
    };
    const altered = DERIVED.find(
      (column) => canonicalJson(stored[column]) !== canonicalJson(expected[column]),
    );
    return altered
      ? `${COLUMN_NAMES[altered]} does not match the content it was derived from (altered)`
      : undefined;
  }
  return `unknown chain version ${String(row.chain_version)} (altered)`;
}
