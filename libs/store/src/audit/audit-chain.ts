import { createHash } from 'node:crypto';

/** The previous hash of the first row in the chain. */
export const GENESIS_HASH = '0'.repeat(64);

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

/** A row's link: sha-256 over its position, the previous row's hash and its canonical content. */
export function chainHash(seq: string, prevHash: string, content: unknown): string {
  return createHash('sha256')
    .update(`${seq}\n${prevHash}\n${canonicalJson(content)}`)
    .digest('hex');
}
