import { createHmac } from 'node:crypto';
import { isValidNhsNumber, normaliseNhsNumber } from '@continuum/fhir';

/**
 * Pseudonymisation for secondary use: HMAC-SHA256 of the normalised NHS number under a key that belongs to one
 * recipient and one project. The key is held outside the database (the caller loads it); the key id travels in the
 * manifest so a recipient can tell which key made a file. There is no reverse table: re-identification needs the key
 * and the NHS number together, which is the point.
 */
export interface PseudonymKey {
  /** Printed in the manifest; a rotated key has a new id. */
  readonly keyId: string;
  readonly recipient: string;
  readonly project: string;
  /** At least 32 bytes of secret material. */
  readonly secret: Buffer;
}

export const MIN_PSEUDONYM_SECRET_BYTES = 32;

export class PseudonymKeyError extends Error {}

export class Pseudonymiser {
  constructor(readonly key: PseudonymKey) {
    if (key.secret.length < MIN_PSEUDONYM_SECRET_BYTES)
      throw new PseudonymKeyError(
        `pseudonym key '${key.keyId}' has ${key.secret.length} bytes of secret; at least ${MIN_PSEUDONYM_SECRET_BYTES} are needed`,
      );
  }

  /** The pseudonym of an NHS number (64 lower-case hex characters), or undefined for a missing or invalid one. */
  pseudonymOf(nhsNumber: string | undefined): string | undefined {
    if (nhsNumber === undefined) return undefined;
    const normalised = normaliseNhsNumber(nhsNumber);
    if (!isValidNhsNumber(normalised)) return undefined;
    return createHmac('sha256', this.key.secret).update(normalised, 'utf8').digest('hex');
  }
}

/**
 * A key ring as held in a key file outside the database: `{ keys: [{ keyId, recipient, project, secret (base64) }] }`.
 * The newest entry for a recipient and project wins, so rotation is appending a key.
 */
export interface KeyRingDocument {
  keys: { keyId: string; recipient: string; project: string; secret: string }[];
}

export function pseudonymKeyFor(ring: KeyRingDocument, recipient: string, project: string): PseudonymKey {
  const matching = ring.keys.filter((key) => key.recipient === recipient && key.project === project);
  const newest = matching.at(-1);
  if (!newest)
    throw new PseudonymKeyError(
      `no pseudonym key for recipient '${recipient}' and project '${project}' in the key ring`,
    );
  const ids = new Set(ring.keys.map((key) => key.keyId));
  if (ids.size !== ring.keys.length)
    throw new PseudonymKeyError('the key ring repeats a keyId; every key needs its own');
  return { keyId: newest.keyId, recipient, project, secret: Buffer.from(newest.secret, 'base64') };
}
