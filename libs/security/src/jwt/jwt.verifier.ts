import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthConfig } from '@continuum/config';
import { unauthorized } from '@continuum/fhir';
import { VerifiedTokenCache } from './verified-token.cache';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

/** Asymmetric algorithms only: `none` and HMAC (a shared secret anyone holding the key set could use) are refused. */
export const ALLOWED_ALGORITHMS = ['RS256', 'ES256'];

/**
 * Validates bearer tokens: signature against the configured JWKS (URL, or file such as the local issuer's), issuer,
 * audience, expiry and not-before with the configured clock skew. Failures are 401 FhirErrors with a reason a
 * developer can act on (never the token itself). A token verified once is not verified again until it expires
 * (VerifiedTokenCache: at most 5 minutes, so a signing key removed from the key set stops counting within that).
 */
export class JwtVerifier {
  private keys?: Promise<JWTVerifyGetKey>;
  private readonly verified: VerifiedTokenCache;

  constructor(private readonly config: AuthConfig) {
    this.verified = new VerifiedTokenCache({
      maxEntries: 10_000,
      maxAgeMs: 5 * 60_000,
      clockSkewSeconds: config.clockSkewSeconds,
    });
  }

  async verify(token: string): Promise<JWTPayload> {
    const key = VerifiedTokenCache.keyOf(token);
    const cached = this.verified.get(key);
    if (cached) return cached;
    const payload = await this.verifyAfresh(token);
    this.verified.set(key, payload);
    return payload;
  }

  private async verifyAfresh(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, await this.keySet(), {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: this.config.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (error) {
      throw unauthorized(reason(error));
    }
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= this.config.jwksUrl
      ? Promise.resolve(createRemoteJWKSet(new URL(this.config.jwksUrl)))
      : readFile(this.config.jwksFile || join(this.config.keysDir, 'jwks.json'), 'utf8')
          .then((text) => createLocalJWKSet(JSON.parse(text) as JSONWebKeySet))
          .catch((error: unknown) => {
            this.keys = undefined; // a key file created later (first `token` command) is picked up
            throw error;
          });
    return this.keys;
  }
}

function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The access token has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `The access token's ${error.claim} claim is not acceptable (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'The access token is signed with an algorithm not accepted';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The access token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'The access token was signed by an unknown key';
  if (error instanceof errors.JOSEError) return `The access token is invalid (${error.code})`;
  return 'The access token could not be verified';
}
