import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

export interface TokenRequest {
  scope: string;
  subject?: string;
  clientId?: string;
  patient?: string;
  role?: string;
  organisation?: string;
  purposeOfUse?: string;
  /** Lifetime, e.g. `1h`, `15m`, `30s`. */
  ttl?: string;
  /** Further claims (the SMART authorization server's launch context: `fhirUser`, `portal_role`, `name`). */
  claims?: Record<string, string>;
}

/** A portal launch (issue #18): who launches, in which role and organisation, and for which patient. */
export interface LaunchTokenRequest {
  subject: string;
  /** The user's display name. */
  name?: string;
  /** The portal role view: gp, acute, community, mental-health, social-care or urgent-care. */
  role: string;
  organisation: string;
  nhsNumber?: string;
  birthDate?: string;
  /** Lifetime, e.g. `2m`; a negative one (`-1 minute`) makes an expired token. */
  ttl?: string;
  /** Defaults to a fresh UUID: each launch token is single-use. */
  jti?: string;
}

const KID = 'continuum-local-1';

/**
 * The development and test issuer: an ES256 key pair made on first use in the keys folder (gitignored, mode 0600)
 * and a `jwks.json` with its public half, which the API reads when no JWKS URL is configured.
 */
export class LocalIssuer {
  constructor(
    private readonly keysDir: string,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  async sign(request: TokenRequest): Promise<string> {
    const key = await this.privateKey();
    const claims = {
      ...request.claims,
      scope: request.scope,
      client_id: request.clientId ?? 'continuum-cli',
      ...(request.patient ? { patient: request.patient } : {}),
      ...(request.role ? { role: request.role } : {}),
      ...(request.organisation ? { org: request.organisation } : {}),
      ...(request.purposeOfUse ? { purpose_of_use: request.purposeOfUse } : {}),
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(request.subject ?? 'local-developer')
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(request.ttl ?? '1h')
      .sign(await importJWK(key, 'ES256'));
  }

  /** A signed-token URL launch token for the portal (its audience is this issuer's), single-use and short-lived. */
  async signLaunch(request: LaunchTokenRequest): Promise<string> {
    const claims = {
      role: request.role,
      org: request.organisation,
      ...(request.name ? { name: request.name } : {}),
      ...(request.nhsNumber ? { nhs_number: request.nhsNumber } : {}),
      ...(request.birthDate ? { birth_date: request.birthDate } : {}),
    };
    const expired = request.ttl?.startsWith('-');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(request.subject)
      .setJti(request.jti ?? randomUUID())
      .setIssuedAt(expired ? '-10 minutes' : undefined)
      .setExpirationTime(request.ttl ?? '2m')
      .sign(await importJWK(await this.privateKey(), 'ES256'));
  }

  private async privateKey(): Promise<JWK> {
    const file = join(this.keysDir, 'private.jwk.json');
    try {
      return JSON.parse(await readFile(file, 'utf8')) as JWK;
    } catch {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      await mkdir(this.keysDir, { recursive: true, mode: 0o700 });
      const generated = { ...(await exportJWK(privateKey)), kid: KID, alg: 'ES256' };
      // 'wx': another process may have won the race; everyone then uses what is on disk
      await writeFile(file, JSON.stringify(generated), { mode: 0o600, flag: 'wx' }).catch(() => undefined);
      const key = JSON.parse(await readFile(file, 'utf8')) as JWK;
      const { kty, crv, x, y, kid, alg } = key;
      await writeFile(
        join(this.keysDir, 'jwks.json'),
        JSON.stringify({ keys: [{ kty, crv, x, y, kid, alg, use: 'sig' }] }),
      );
      return key;
    }
  }
}
