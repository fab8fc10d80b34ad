import { createHash } from 'node:crypto';

/** The previous hash of the first row in the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * How a row's `hash` was computed (the row's `chain_version` column):
 * 1. over its position, the previous hash and its content only (rows written before every column was chained;
 *    their other columns are checked against the content they were derived from, see `legacyColumnsOf`);
 * 2. over a canonical serialisation of every column but `hash` itself.
 */
export type ChainVersion = 1 | 2;
export const CURRENT_CHAIN_VERSION: ChainVersion = 2;

/** Every column of an audit row but `hash`, as the chain sees it. */
export interface AuditRowColumns {
  seq: string;
  id: string;
  /** `recorded` in UTC with microseconds, as `canonicalTimestamp` gives it and the verifier reads it back. */
  recorded: string;
  patientIds: string[];
  agent: string | null;
  subtype: string;
  outcome: string;
  content: unknown;
  prevHash: string;
  chainVersion: number;
}

/**
 * JSON with object keys sorted and undefined members dropped: the same value always gives the same text, whether
 * it is the object the API built or the one Postgres gives back from jsonb (which reorders keys).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
  return `{${members.join(',')}}`;
}

/**
 * A timestamp as Postgres prints a timestamptz in UTC with microseconds (`2026-01-02T03:04:05.123000Z`), so the
 * value hashed before the insert is the value the verifier reads back. Throws on a value that is not a date.
 */
export function canonicalTimestamp(value: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new Error(`not a timestamp: '${value}'`);
  return `${time.toISOString().slice(0, 23)}000Z`;
}

/** Chain version 1: sha-256 over the row's position, the previous row's hash and its canonical content. */
export function chainHash(seq: string, prevHash: string, content: unknown): string {
  return createHash('sha256')
    .update(`${seq}\n${prevHash}\n${canonicalJson(content)}`)
    .digest('hex');
}

/** Chain version 2: sha-256 over a canonical serialisation of every column of the row but `hash`. */
export function rowHash(row: AuditRowColumns): string {
  return createHash('sha256')
    .update(
      `v2\n${canonicalJson({
        seq: row.seq,
        prev_hash: row.prevHash,
        chain_version: row.chainVersion,
        id: row.id,
        recorded: row.recorded,
        patient_ids: row.patientIds,
        agent: row.agent,
        subtype: row.subtype,
        outcome: row.outcome,
        content: row.content,
      })}`,
    )
    .digest('hex');
}
