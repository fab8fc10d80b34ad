/**
 * Token buckets per key (a client id, or an address for callers not yet identified): `burst` requests at once,
 * refilled at `perMinute`. In memory: each API worker holds its share of the configured rate (AuthenticationGuard);
 * with several replicas, each allows the full rate (a shared store such as Redis, or the gateway's limiter, is the
 * scale-out answer, docs/security.md).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perMinute: number,
    private readonly burst: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token; false when the bucket is empty (answer 429). */
  take(key: string, now = Date.now()): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.delete(key); // re-inserted last: the Map's order is least recently used first
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return allowed;
  }

  /** Seconds until the next token, for Retry-After. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(60 / this.perMinute));
  }
}
