import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';

export interface VerifiedTokenCacheOptions {
  /** Most tokens kept; the least recently used goes first. */
  maxEntries: number;
  /** Longest a verification is reused, whatever the token's expiry: bounds how long a removed signing key counts. */
  maxAgeMs: number;
  /** The clock skew the verifier accepts past `exp`. */
  clockSkewSeconds: number;
  now?: () => number;
}

interface Entry {
  payload: JWTPayload;
  /** Epoch ms after which the entry is not used: the token's expiry (with the skew) or maxAge, the earlier. */
  usableUntil: number;
}

/**
 * Bearer tokens already verified, so a client's next request skips the signature check (an ES256 verify is the
 * largest CPU cost of a small read). Keyed by the token's SHA-256, never the token itself; only successes are kept,
 * each until the token expires, so a refusal is always decided afresh.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: VerifiedTokenCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  get(key: string): JWTPayload | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (this.now() >= entry.usableUntil) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.payload;
  }

  set(key: string, payload: JWTPayload): void {
    if (typeof payload.exp !== 'number') return;
    const usableUntil = Math.min(
      (payload.exp + this.options.clockSkewSeconds) * 1000,
      this.now() + this.options.maxAgeMs,
    );
    this.entries.delete(key);
    this.entries.set(key, { payload, usableUntil });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
