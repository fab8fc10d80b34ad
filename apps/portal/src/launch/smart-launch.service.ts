import { HttpConfig, PortalConfig } from '@continuum/config';
import { isPortalRole } from '@continuum/fhir';
import { JwtVerifier, newCodeVerifier, opaqueValue, s256ChallengeOf } from '@continuum/security';
import { Injectable } from '@nestjs/common';
import { PORTAL_CLIENT_ID } from '../session/portal-access';
import type { PortalSession } from '../session/portal-session';
import { LaunchRefusal } from './launch.refusal';
import type { PendingSmartLaunch } from './smart-launch.state';

/** The parts of the SMART configuration the portal uses. */
interface SmartEndpoints {
  authorization_endpoint: string;
  token_endpoint: string;
}

const FETCH_TIMEOUT_MS = 5000;

/**
 * The portal as a SMART App Launch 2.x app, EHR launch, public client with PKCE S256. `iss` must be the configured
 * FHIR base (the portal never follows an arbitrary server); the patient comes from the token response, checked
 * against the signed access token, which the platform's verifier must accept. Nothing of the user or patient is
 * taken from the launch URL itself.
 */
@Injectable()
export class SmartLaunchService {
  private readonly fhirBaseUrl: string;
  private readonly redirectUri: string;

  constructor(
    http: HttpConfig,
    portal: PortalConfig,
    private readonly verifier: JwtVerifier,
  ) {
    this.fhirBaseUrl = http.fhirBaseUrl.replace(/\/$/, '');
    this.redirectUri = `${portal.publicUrl.replace(/\/$/, '')}/launch/smart/callback`;
  }

  /** Step 1: the authorize URL to send the browser to, and what to keep until the callback. */
  async start(iss: unknown, launch: unknown): Promise<{ authorizeUrl: string; pending: PendingSmartLaunch }> {
    if (typeof iss !== 'string' || iss.replace(/\/+$/, '') !== this.fhirBaseUrl)
      throw new LaunchRefusal(
        'untrusted-issuer',
        `The launch named a FHIR server other than this portal's (${this.fhirBaseUrl})`,
        400,
      );
    if (typeof launch !== 'string' || !launch || launch.length > 256)
      throw new LaunchRefusal('missing-claims', 'The launch carries no launch context', 400);
    const endpoints = await this.endpoints();
    const state = opaqueValue();
    const verifier = newCodeVerifier();
    const url = new URL(endpoints.authorization_endpoint);
    const parameters: Record<string, string> = {
      response_type: 'code',
      client_id: PORTAL_CLIENT_ID,
      redirect_uri: this.redirectUri,
      launch,
      scope: 'launch patient/*.rs',
      state,
      aud: this.fhirBaseUrl,
      code_challenge: s256ChallengeOf(verifier),
      code_challenge_method: 'S256',
    };
    for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
    return {
      authorizeUrl: url.toString(),
      pending: { state, verifier, tokenEndpoint: endpoints.token_endpoint },
    };
  }

  /** Step 2: the callback. Checks the state, exchanges the code with the verifier, opens the patient's session. */
  async finish(
    query: Record<string, unknown>,
    pending: PendingSmartLaunch | undefined,
  ): Promise<PortalSession> {
    if (!pending || typeof query.state !== 'string' || query.state !== pending.state)
      throw new LaunchRefusal(
        'bad-state',
        'The answer from the shared care record does not belong to a launch this browser started: open the portal again from your system',
        400,
      );
    if (typeof query.error === 'string')
      throw new LaunchRefusal(
        'authorization-refused',
        typeof query.error_description === 'string' ? query.error_description : query.error,
        403,
      );
    if (typeof query.code !== 'string' || !query.code)
      throw new LaunchRefusal('bad-state', 'The shared care record sent no authorization code', 400);
    const answer = await this.exchange(pending, query.code);
    return this.sessionOf(answer);
  }

  private async endpoints(): Promise<SmartEndpoints> {
    const found = await this.fetchJson(`${this.fhirBaseUrl}/.well-known/smart-configuration`);
    const endpoints = found.body as Partial<SmartEndpoints> | undefined;
    if (
      !found.ok ||
      typeof endpoints?.authorization_endpoint !== 'string' ||
      typeof endpoints.token_endpoint !== 'string'
    )
      throw new LaunchRefusal(
        'token-refused',
        'The shared care record did not say how to authorise this launch (no SMART configuration)',
        502,
      );
    return endpoints as SmartEndpoints;
  }

  private async exchange(pending: PendingSmartLaunch, code: string): Promise<Record<string, unknown>> {
    const found = await this.fetchJson(pending.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.redirectUri,
        client_id: PORTAL_CLIENT_ID,
        code_verifier: pending.verifier,
      }).toString(),
    });
    const body = (found.body ?? {}) as Record<string, unknown>;
    if (!found.ok)
      throw new LaunchRefusal(
        'token-refused',
        typeof body.error_description === 'string' ? body.error_description : 'The code exchange failed',
        403,
      );
    return body;
  }

  /** The session the token response opens: the patient must be the one the signed access token is scoped to. */
  private async sessionOf(answer: Record<string, unknown>): Promise<PortalSession> {
    if (
      answer.token_type !== 'Bearer' ||
      typeof answer.access_token !== 'string' ||
      typeof answer.patient !== 'string'
    )
      throw new LaunchRefusal('token-refused', 'The token response names no patient', 502);
    let claims: Record<string, unknown>;
    try {
      claims = (await this.verifier.verify(answer.access_token)) as Record<string, unknown>;
    } catch {
      throw new LaunchRefusal('token-refused', 'The access token could not be verified', 502);
    }
    const caller =
      typeof claims.sub === 'string' && typeof claims.org === 'string'
        ? { subject: claims.sub, organisation: claims.org }
        : undefined;
    const refuse = (detail: string) => {
      const refusal = new LaunchRefusal('token-refused', detail, 403);
      refusal.caller = caller;
      return refusal;
    };
    if (claims.patient !== answer.patient)
      throw refuse('The token response and the access token name different patients');
    if (claims.client_id !== PORTAL_CLIENT_ID) throw refuse('The access token was issued to another app');
    if (!caller || !isPortalRole(claims.portal_role))
      throw refuse('The access token lacks the user, organisation or portal role of the launch');
    return {
      subject: caller.subject,
      organisation: caller.organisation,
      role: claims.portal_role,
      patientId: answer.patient,
      ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
    };
  }

  private async fetchJson(url: string, init: RequestInit = {}): Promise<{ ok: boolean; body: unknown }> {
    try {
      const response = await fetch(url, {
        ...init,
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        redirect: 'error',
      });
      const text = await response.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { ok: response.ok, body };
    } catch {
      throw new LaunchRefusal('token-refused', 'The shared care record could not be reached', 502);
    }
  }
}
