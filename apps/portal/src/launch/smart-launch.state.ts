import { createHash } from 'node:crypto';
import { PortalConfig } from '@continuum/config';
import { Injectable } from '@nestjs/common';
import { EncryptJWT, jwtDecrypt } from 'jose';

/** What the portal keeps between its redirect to the authorize endpoint and the callback. */
export interface PendingSmartLaunch {
  state: string;
  /** The PKCE verifier: only its S256 challenge ever left the portal. */
  verifier: string;
  tokenEndpoint: string;
}

export const SMART_STATE_COOKIE = 'continuum_portal_smart';
const AUDIENCE = 'continuum-portal-smart-launch';
const MINUTES = 10;

/**
 * The pending SMART launch in an encrypted (A256GCM), HttpOnly cookie scoped to /launch/smart: the portal keeps no
 * server-side session store, and the verifier must stay unreadable to anyone but the portal, the user's browser
 * included. Keyed from the session secret, under its own audience so a session cookie cannot stand in for it.
 */
@Injectable()
export class SmartLaunchStates {
  private readonly key: Uint8Array;

  constructor(private readonly config: PortalConfig) {
    this.key = createHash('sha256').update(`smart-launch-state:${config.sessionSecret}`).digest();
  }

  seal(pending: PendingSmartLaunch): Promise<string> {
    return new EncryptJWT({ ...pending })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${MINUTES}m`)
      .encrypt(this.key);
  }

  async open(cookie: string | undefined): Promise<PendingSmartLaunch | undefined> {
    if (!cookie) return undefined;
    try {
      const { payload } = await jwtDecrypt(cookie, this.key, { audience: AUDIENCE });
      const { state, verifier, tokenEndpoint } = payload as Record<string, unknown>;
      if (typeof state !== 'string' || typeof verifier !== 'string' || typeof tokenEndpoint !== 'string')
        return undefined;
      return { state, verifier, tokenEndpoint };
    } catch {
      return undefined;
    }
  }

  cookieOptions() {
    return {
      httpOnly: true,
      sameSite: 'lax' as const, // sent on the authorization server's top-level redirect back to the callback
      secure: this.config.publicUrl.startsWith('https:'),
      path: '/launch/smart',
      maxAge: MINUTES * 60_000,
    };
  }
}
