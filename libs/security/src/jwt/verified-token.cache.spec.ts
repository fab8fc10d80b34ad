import { VerifiedTokenCache } from './verified-token.cache';

describe('the cache of verified bearer tokens', () => {
  let clock = 1_000_000_000_000;
  const cache = (maxEntries = 10, maxAgeMs = 300_000) =>
    new VerifiedTokenCache({ maxEntries, maxAgeMs, clockSkewSeconds: 60, now: () => clock });
  const expiringIn = (seconds: number) => ({ sub: 'client', exp: Math.floor(clock / 1000) + seconds });

  beforeEach(() => (clock = 1_000_000_000_000));

  it('answers a token verified before, by the hash of the token', () => {
    const tokens = cache();
    const key = VerifiedTokenCache.keyOf('header.payload.signature');
    tokens.set(key, expiringIn(120));
    expect(tokens.get(key)).toEqual(expiringIn(120));
    expect(key).not.toContain('payload');
    expect(tokens.get(VerifiedTokenCache.keyOf('another.token.here'))).toBeUndefined();
  });

  it('stops answering once the token has expired (past the accepted clock skew)', () => {
    const tokens = cache();
    tokens.set('k', expiringIn(120));
    clock += (120 + 59) * 1000;
    expect(tokens.get('k')).toBeDefined();
    clock += 1000;
    expect(tokens.get('k')).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('reuses a verification no longer than its maximum age, even for a long-lived token', () => {
    const tokens = cache(10, 5_000);
    tokens.set('k', expiringIn(3600));
    clock += 4_999;
    expect(tokens.get('k')).toBeDefined();
    clock += 1;
    expect(tokens.get('k')).toBeUndefined();
  });

  it('keeps no token without an expiry', () => {
    const tokens = cache();
    tokens.set('k', { sub: 'client' });
    expect(tokens.get('k')).toBeUndefined();
  });

  it('holds at most its bound, dropping the least recently used first', () => {
    const tokens = cache(2);
    tokens.set('a', expiringIn(60));
    tokens.set('b', expiringIn(60));
    tokens.get('a'); // a is now the most recently used
    tokens.set('c', expiringIn(60));
    expect(tokens.size).toBe(2);
    expect(tokens.get('b')).toBeUndefined();
    expect(tokens.get('a')).toBeDefined();
    expect(tokens.get('c')).toBeDefined();
  });
});
