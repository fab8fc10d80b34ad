import { createHash } from 'node:crypto';
import { blockingKeysOf, type PreparedRecord } from '@continuum/fhir';

/** What runs a parameterised statement: a TypeORM DataSource, or an EntityManager inside a transaction. */
export interface BlockQueryRunner {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeORM's own signature
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/** A stored record that shares blocking keys with the one asked about, and the person it is (if linked). */
export interface BlockCandidate {
  patientId: string;
  personId: string | null;
  /** How many of the asked keys it shares. */
  shared: number;
}

/** Blocking keys carry identifying values: only their hashes are stored and locked on. */
export function hashBlockKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

/** The hashed, distinct, sorted blocking keys of a record (sorted: locks are taken in this order). */
export function hashedBlockKeysOf(record: PreparedRecord): string[] {
  return [...new Set(blockingKeysOf(record).map(hashBlockKey))].sort();
}

/**
 * The `identity_block_key` table read as an index: which stored records share a block with a record. Every
 * statement is an index look-up by key (the primary key leads with it), so the cost depends on the block sizes,
 * not on the number of persons. Blocks of maxBlockSize or more (placeholder demographics) are left out.
 */
export class BlockIndex {
  constructor(readonly maxBlockSize = 200) {}

  /** The keys whose blocks are smaller than maxBlockSize (each count stops there). */
  async uncrowded(db: BlockQueryRunner, keys: readonly string[]): Promise<string[]> {
    if (!keys.length) return [];
    const crowded: { key: string }[] = await db.query(
      `SELECT k AS key FROM unnest($1::text[]) AS k
       WHERE (SELECT count(*) FROM (SELECT 1 FROM identity_block_key b WHERE b.key = k LIMIT $2) bounded) >= $2`,
      [keys, this.maxBlockSize],
    );
    const skip = new Set(crowded.map((row) => row.key));
    return keys.filter((key) => !skip.has(key));
  }

  /**
   * Stored records sharing any of these (uncrowded) keys, those sharing most first, at most `limit`, with the person
   * each is (its MATCH or REDIRECT link; null for a record not linked yet).
   */
  async candidates(
    db: BlockQueryRunner,
    keys: readonly string[],
    options: { limit: number; excludePatientId?: string },
  ): Promise<BlockCandidate[]> {
    if (!keys.length) return [];
    const rows: { patient_id: string; person_id: string | null; shared: string }[] = await db.query(
      `SELECT candidate.patient_id, link.person_id, candidate.shared
       FROM (SELECT patient_id, count(*) AS shared FROM identity_block_key
             WHERE key = ANY($1::text[]) AND patient_id IS DISTINCT FROM $2
             GROUP BY patient_id ORDER BY shared DESC, patient_id LIMIT $3) candidate
       LEFT JOIN identity_link link
         ON link.patient_id = candidate.patient_id AND link.state IN ('MATCH', 'REDIRECT')
       ORDER BY candidate.shared DESC, candidate.patient_id`,
      [keys, options.excludePatientId ?? null, options.limit],
    );
    return rows.map((row) => ({
      patientId: row.patient_id,
      personId: row.person_id,
      shared: Number(row.shared),
    }));
  }
}
