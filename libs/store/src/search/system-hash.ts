import { createHash } from 'node:crypto';

const cache = new Map<string, string>();

/**
 * Token and quantity systems are stored as a 64-bit hash (first 8 bytes of SHA-256, signed, as decimal text for
 * postgres bigint) rather than the URI: 8 bytes per row instead of 20-60 in tables of billions of rows, and no
 * lookup table to keep in step. A collision needs ~4 billion distinct systems to become likely; we have hundreds.
 */
export function systemHash(system: string | undefined): string | null {
  if (system === undefined) return null;
  let hash = cache.get(system);
  if (hash === undefined) {
    hash = createHash('sha256').update(system).digest().readBigInt64BE(0).toString();
    if (cache.size < 10_000) cache.set(system, hash);
  }
  return hash;
}
