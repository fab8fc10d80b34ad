import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';
import type { Queryable } from '../store.types';
import { CURRENT_CHAIN_VERSION, GENESIS_HASH, rowHash, type AuditRowColumns } from './audit-chain';
import { auditColumnsOf } from './audit-row';

/** One chain for the whole trail: every appender takes this transaction-scoped advisory lock first. */
const CHAIN_LOCK = 'continuum:audit-chain';

export interface AuditRow {
  seq: string;
  content: AuditEvent;
  prev_hash: string;
  hash: string;
}

/** A row as the verifier reads it: every column, `recorded` in its canonical text form. */
export interface StoredAuditRow extends AuditRow {
  id: string;
  recorded: string;
  patient_ids: string[];
  agent: string | null;
  subtype: string;
  outcome: string;
  chain_version: number;
}

export interface AuditQuery {
  /** Each list is OR-ed within and the lists are AND-ed (repeated `patient` / `entity` parameters). */
  patientIds?: string[][];
  agent?: string;
  /** Any of these. */
  subtypes?: string[];
  /** Bounds on `recorded` in epoch milliseconds: `from` inclusive, `to` exclusive. */
  from?: number;
  to?: number;
  /** Only rows before this position (paging, newest first). */
  beforeSeq?: string;
  limit: number;
}

/**
 * The audit_event table: appends under the chain lock, reads for auditors and for verification. There is no
 * update or delete here, and the table's trigger refuses them from anywhere else.
 */
export class AuditEventRepository {
  /**
   * Appends events in order, inside the caller's transaction. The lock serialises appenders until commit, so the
   * head read after it is the committed head, positions stay gapless and no two rows claim the same predecessor.
   */
  async append(
    tx: postgres.TransactionSql,
    events: AuditEvent[],
    patientIds: (event: AuditEvent) => string[],
  ): Promise<void> {
    if (!events.length) return;
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${CHAIN_LOCK}, 0))`;
    const [head] = await tx<{ seq: string; hash: string }[]>`
      SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1`;
    let seq = BigInt(head?.seq ?? 0);
    let prev = head?.hash ?? GENESIS_HASH;
    // Every column is computed here and inserted as it is, so the hash covers exactly what is stored.
    const rows = events.map((event): AuditRowColumns & { hash: string } => {
      seq += 1n;
      const columns: AuditRowColumns = {
        seq: String(seq),
        prevHash: prev,
        chainVersion: CURRENT_CHAIN_VERSION,
        ...auditColumnsOf(event, patientIds(event)),
        content: event,
      };
      prev = rowHash(columns);
      return { ...columns, hash: prev };
    });
    await tx`
      INSERT INTO audit_event
        (seq, id, recorded, patient_ids, agent, subtype, outcome, content, prev_hash, hash, chain_version)
      SELECT r.seq, r.id, r.recorded, ARRAY(SELECT jsonb_array_elements_text(r.patients::jsonb)), r.agent,
             r.subtype, r.outcome, r.content::jsonb, r.prev_hash, r.hash, ${CURRENT_CHAIN_VERSION}::smallint
      FROM unnest(${rows.map((r) => r.seq)}::bigint[], ${rows.map((r) => r.id)}::text[],
                  ${rows.map((r) => r.recorded)}::timestamptz[],
                  ${rows.map((r) => JSON.stringify(r.patientIds))}::text[], ${rows.map((r) => r.agent)}::text[],
                  ${rows.map((r) => r.subtype)}::text[], ${rows.map((r) => r.outcome)}::text[],
                  ${rows.map((r) => JSON.stringify(r.content))}::text[],
                  ${rows.map((r) => r.prevHash)}::text[], ${rows.map((r) => r.hash)}::text[])
        AS r(seq, id, recorded, patients, agent, subtype, outcome, content, prev_hash, hash)`;
  }

  /** Auditors' search, newest first. */
  async search(sql: Queryable, query: AuditQuery): Promise<AuditRow[]> {
    return sql<AuditRow[]>`
      SELECT seq, content, prev_hash, hash FROM audit_event
      WHERE true
        ${(query.patientIds ?? []).reduce((and, ids) => sql`${and} AND patient_ids && ${ids}::text[]`, sql``)}
        ${query.agent ? sql`AND agent = ${query.agent}` : sql``}
        ${query.subtypes ? sql`AND subtype = ANY(${query.subtypes}::text[])` : sql``}
        ${query.from !== undefined ? sql`AND recorded >= ${new Date(query.from)}` : sql``}
        ${query.to !== undefined ? sql`AND recorded < ${new Date(query.to)}` : sql``}
        ${query.beforeSeq ? sql`AND seq < ${query.beforeSeq}::bigint` : sql``}
      ORDER BY seq DESC LIMIT ${query.limit}::int`;
  }

  async read(sql: Queryable, id: string): Promise<AuditEvent | undefined> {
    const [row] = await sql<{ content: AuditEvent }[]>`SELECT content FROM audit_event WHERE id = ${id}`;
    return row?.content;
  }

  /** Rows after `afterSeq` in chain order, every column, for verification. */
  chunk(sql: Queryable, afterSeq: string, limit: number): Promise<StoredAuditRow[]> {
    return sql<StoredAuditRow[]>`
      SELECT seq, id, to_char(recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded,
             patient_ids, agent, subtype, outcome, content, prev_hash, hash, chain_version
      FROM audit_event
      WHERE seq > ${afterSeq}::bigint ORDER BY seq LIMIT ${limit}::int`;
  }
}
