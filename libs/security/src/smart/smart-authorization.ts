/**
 * The SMART App Launch 2.x authorization server's rules (EHR launch, public clients, PKCE S256), pure: what an
 * authorize request must carry, which scopes are granted, what the discovery document says. The API's SMART module
 * does the I/O around them.
 */
import { isS256Challenge } from './pkce';

/** A registered public client: its id and the redirect URIs it may use (compared exactly). */
export interface SmartClient {
  clientId: string;
  redirectUris: string[];
}

/** OAuth 2.0 error codes used here (RFC 6749 4.1.2.1 and 5.2). */
export type OAuthError =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_response_type'
  | 'unsupported_grant_type'
  | 'access_denied';

/**
 * A refused authorization request. `redirect` is false when the client or redirect URI cannot be trusted: then the
 * user gets a page, never a redirect to an unverified address (RFC 6749 4.1.2.1).
 */
export interface AuthorizeRefusal {
  ok: false;
  error: OAuthError;
  description: string;
  redirect: boolean;
  redirectUri?: string;
  state?: string;
}

export interface AuthorizeRequest {
  ok: true;
  clientId: string;
  redirectUri: string;
  launch: string;
  state: string;
  codeChallenge: string;
  scope: string;
}

/**
 * Checks an authorize request (query parameters). First the client and its redirect URI (no redirect unless both are
 * registered), then what the EHR launch needs: `response_type=code`, `launch`, `aud` equal to the FHIR base (so a
 * token is never issued for another server), a `state`, and PKCE with `S256` (plain is refused).
 */
export function checkAuthorizeRequest(
  query: Record<string, unknown>,
  clients: readonly SmartClient[],
  fhirBaseUrl: string,
): AuthorizeRequest | AuthorizeRefusal {
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
  const clientId = text('client_id');
  const client = clients.find((candidate) => candidate.clientId === clientId);
  if (!client)
    return { ok: false, error: 'invalid_client', description: 'Unknown client_id', redirect: false };
  const redirectUri = text('redirect_uri');
  if (!redirectUri || !client.redirectUris.includes(redirectUri))
    return {
      ok: false,
      error: 'invalid_request',
      description: 'redirect_uri does not match the client registration',
      redirect: false,
    };
  const state = text('state');
  const refuse = (error: OAuthError, description: string): AuthorizeRefusal => ({
    ok: false,
    error,
    description,
    redirect: true,
    redirectUri,
    state,
  });
  if (text('response_type') !== 'code')
    return refuse('unsupported_response_type', 'response_type must be code');
  if (!state) return refuse('invalid_request', 'state is required');
  const launch = text('launch');
  if (!launch) return refuse('invalid_request', 'launch is required (EHR launch)');
  if (!sameUrl(text('aud'), fhirBaseUrl))
    return refuse('invalid_request', `aud must be this server's FHIR base URL (${fhirBaseUrl})`);
  const method = text('code_challenge_method');
  if (method !== 'S256')
    return refuse(
      'invalid_request',
      method
        ? `code_challenge_method ${method} is not supported: use S256`
        : 'PKCE is required: code_challenge_method=S256',
    );
  const codeChallenge = text('code_challenge');
  if (!isS256Challenge(codeChallenge))
    return refuse('invalid_request', 'code_challenge must be a base64url S256 challenge (43 characters)');
  const scope = grantedScope(text('scope') ?? '');
  if (!scope) return refuse('invalid_scope', 'Ask for launch and at least one patient/ read scope');
  return { ok: true, clientId: client.clientId, redirectUri, launch, state, codeChallenge, scope };
}

const PATIENT_READ = /^patient\/(\*|[A-Z][A-Za-z]+)\.(rs|r|s|read)$/;

/**
 * What this server grants of a requested scope: `launch` and patient/ read or search scopes. Anything else (writes,
 * user/ and system/ scopes, `openid`: no id_token is issued) is left out: an EHR-launched app reads the patient in
 * context. Undefined when nothing readable remains or `launch` was not asked for.
 */
export function grantedScope(requested: string): string | undefined {
  const asked = [...new Set(requested.split(/\s+/).filter(Boolean))];
  if (!asked.includes('launch')) return undefined;
  const reads = asked.filter((scope) => PATIENT_READ.test(scope));
  if (!reads.length) return undefined;
  return ['launch', ...reads].join(' ');
}

function sameUrl(a: string | undefined, b: string): boolean {
  return !!a && a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/** `/.well-known/smart-configuration` (SMART App Launch 2.x, section 2.1). */
export function smartConfiguration(urls: { issuer: string; authorize: string; token: string }) {
  return {
    issuer: urls.issuer,
    authorization_endpoint: urls.authorize,
    token_endpoint: urls.token,
    token_endpoint_auth_methods_supported: ['none'],
    grant_types_supported: ['authorization_code'],
    response_types_supported: ['code'],
    scopes_supported: ['launch', 'patient/*.rs', 'patient/*.read'],
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-ehr',
      'context-ehr-patient',
      'client-public',
      'permission-patient',
      'permission-v1',
      'permission-v2',
    ],
  };
}

/**
 * Parses `SMART_CLIENTS`: `client_id=redirect_uri[|redirect_uri...]`, separated by commas. Throws naming the entry
 * when one is malformed (the config check reports it at boot).
 */
export function parseSmartClients(setting: string): SmartClient[] {
  return setting
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [clientId, uris] = entry.split('=');
      const redirectUris = (uris ?? '').split('|').filter(Boolean);
      if (!clientId || !redirectUris.length || !redirectUris.every((uri) => /^https?:\/\/[^\s]+$/.test(uri)))
        throw new Error(`SMART client '${entry}' must be client_id=https://redirect/uri`);
      return { clientId, redirectUris };
    });
}
