import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { LocalIssuer, type TokenRequest } from '../jwt/local-issuer';

const ISSUER = 'https://continuum.local/issuer';
const AUDIENCE = 'continuum-api';

/**
 * Tokens for tests: good ones from a local issuer with its own keys folder (pass `env` to the app under test), and
 * the bad ones a verifier must refuse (expired, another audience, forged signature, `alg: none`).
 */
export function testTokens() {
  const keysDir = mkdtempSync(join(tmpdir(), 'continuum-keys-'));
  const issuer = new LocalIssuer(keysDir, ISSUER, AUDIENCE);
  const claims = (request: TokenRequest) => ({
    scope: request.scope,
    client_id: request.clientId ?? 'test-client',
    ...(request.patient ? { patient: request.patient } : {}),
  });
  return {
    env: {
      CONTINUUM_KEYS_DIR: keysDir,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_FILE: '',
      AUTH_JWKS_URL: '',
    },
    issue: (request: TokenRequest) => issuer.sign(request),
    expired: (request: TokenRequest) => issuer.sign({ ...request, ttl: '-5 minutes' }),
    otherAudience: (request: TokenRequest) => new LocalIssuer(keysDir, ISSUER, 'another-api').sign(request),
    /** Signed by a key the API does not know, under the local issuer's key id. */
    forged: async (request: TokenRequest) => {
      const { privateKey } = await generateKeyPair('ES256');
      return new SignJWT(claims(request))
        .setProtectedHeader({ alg: 'ES256', kid: 'continuum-local-1' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('forger')
        .setExpirationTime('1h')
        .sign(privateKey);
    },
    /** HS256 keyed with the issuer's public JWKS: the algorithm-confusion attack. */
    hmac: async (request: TokenRequest) =>
      new SignJWT(claims(request))
        .setProtectedHeader({ alg: 'HS256', kid: 'continuum-local-1' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('confused')
        .setExpirationTime('1h')
        .sign(new Uint8Array(readFileSync(join(keysDir, 'jwks.json')))),
    unsigned: (request: TokenRequest) => {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims(request), iss: ISSUER, aud: AUDIENCE, sub: 'x', exp: now + 3600 })}.`;
    },
  };
}
