import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** RFC 7636: a verifier is 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 challenge is the base64url (no padding) of a sha-256: 43 characters. */
const CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export function isCodeVerifier(value: unknown): value is string {
  return typeof value === 'string' && VERIFIER.test(value);
}

export function isS256Challenge(value: unknown): value is string {
  return typeof value === 'string' && CHALLENGE.test(value);
}

/** A fresh verifier: 32 random bytes, base64url (43 characters). */
export function newCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))). */
export function s256ChallengeOf(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Whether the verifier answers the challenge (compared in constant time). */
export function verifierAnswers(verifier: unknown, challenge: string): boolean {
  if (!isCodeVerifier(verifier)) return false;
  const expected = Buffer.from(challenge);
  const actual = Buffer.from(s256ChallengeOf(verifier));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** An opaque random value (launch ids, codes, state): 32 bytes, base64url. */
export function opaqueValue(): string {
  return randomBytes(32).toString('base64url');
}

/** How an opaque secret is stored: its sha-256, so a leaked table holds nothing usable. */
export function storedHashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
