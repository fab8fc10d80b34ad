import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';
import type { Queryable } from '../store.types';
import { chainHash, GENESIS_HASH } from './audit-chain';

/** One chain for the whole trail: every appender takes this transaction-scoped advisory lock first. */
const CHAIN_LOCK = 'continuum:audit-chain';

export interface AuditRow {
  seq: string;
  content: AuditEvent;
  prev_hash: string;
  hash: string;
}

export interface AuditQuery {
  patientIds?: string[];
  agent?: string;
  subtype?: string;
  /** Inclusive bounds on `recorded`, epoch milliseconds. */
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
    const rows = events.map((event) => {
      seq += 1n;
      const hash = chainHash(String(seq), prev, event);
      const row = { seq: String(seq), event, prev, hash };
      prev = hash;
      return row;
    });
    await tx`
      INSERT INTO audit_event (seq, id, recorded, patient_ids, agent, subtype, outcome, content, prev_hash, hash)
      SELECT r.seq, r.content::jsonb->>'id', (r.content::jsonb->>'recorded')::timestamptz,
             ARRAY(SELECT jsonb_array_elements_text(r.patients::jsonb)), r.agent,
             r.content::jsonb->'subtype'->0->>'code', r.content::jsonb->>'outcome', r.content::jsonb,
             r.prev_hash, r.hash
      FROM unnest(${rows.map((r) => r.seq)}::bigint[], ${rows.map((r) => JSON.stringify(r.event))}::text[],
                  ${rows.map((r) => JSON.stringify(patientIds(r.event)))}::text[],
                  ${rows.map((r) => r.event.agent?.[0]?.who?.identifier?.value ?? null)}::text[],
                  ${rows.map((r) => r.prev)}::text[], ${rows.map((r) => r.hash)}::text[])
        AS r(seq, content, patients, agent, prev_hash, hash)`;
  }

  /** Auditors' search, newest first. */
  async search(sql: Queryable, query: AuditQuery): Promise<AuditRow[]> {
    return sql<AuditRow[]>`
      SELECT seq, content, prev_hash, hash FROM audit_event
      WHERE true
        ${query.patientIds ? sql`AND patient_ids && ${query.patientIds}::text[]` : sql``}
        ${query.agent ? sql`AND agent = ${query.agent}` : sql``}
        ${query.subtype ? sql`AND subtype = ${query.subtype}` : sql``}
        ${query.from !== undefined ? sql`AND recorded >= ${new Date(query.from)}` : sql``}
        ${query.to !== undefined ? sql`AND recorded <= ${new Date(query.to)}` : sql``}
        ${query.beforeSeq ? sql`AND seq < ${query.beforeSeq}::bigint` : sql``}
      ORDER BY seq DESC LIMIT ${query.limit}::int`;
  }

  async read(sql: Queryable, id: string): Promise<AuditEvent | undefined> {
    const [row] = await sql<{ content: AuditEvent }[]>`SELECT content FROM audit_event WHERE id = ${id}`;
    return row?.content;
  }

  /** Rows after `afterSeq` in chain order, for verification. */
  chunk(sql: Queryable, afterSeq: string, limit: number): Promise<AuditRow[]> {
    return sql<AuditRow[]>`
      SELECT seq, content, prev_hash, hash FROM audit_event
      WHERE seq > ${afterSeq}::bigint ORDER BY seq LIMIT ${limit}::int`;
  }
}
