import {
  isCodeVerifier,
  newCodeVerifier,
  opaqueValue,
  s256ChallengeOf,
  storedHashOf,
  verifierAnswers,
} from './pkce';
import {
  checkAuthorizeRequest,
  grantedScope,
  parseSmartClients,
  smartConfiguration,
} from './smart-authorization';

describe('PKCE S256', () => {
  it('computes the RFC 7636 appendix B challenge', () => {
    expect(s256ChallengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('accepts only the verifier of the challenge, and only well-formed verifiers', () => {
    const verifier = newCodeVerifier();
    const challenge = s256ChallengeOf(verifier);
    expect(isCodeVerifier(verifier)).toBe(true);
    expect(verifierAnswers(verifier, challenge)).toBe(true);
    expect(verifierAnswers(newCodeVerifier(), challenge)).toBe(false);
    expect(verifierAnswers(challenge, challenge)).toBe(false); // "plain": the challenge itself is not a verifier
    expect(verifierAnswers('short', s256ChallengeOf('short'))).toBe(false);
    expect(verifierAnswers(undefined, challenge)).toBe(false);
  });

  it('stores secrets by hash only, and makes unguessable values', () => {
    const value = opaqueValue();
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(opaqueValue()).not.toBe(value);
    expect(storedHashOf(value)).not.toContain(value);
    expect(storedHashOf(value)).toBe(storedHashOf(value));
  });
});

describe('authorize request (EHR launch)', () => {
  const base = 'https://fhir.example.nhs.uk/fhir';
  const clients = parseSmartClients(
    'portal=https://portal.example/cb|https://portal.example/cb2, other=http://x/cb',
  );
  const verifier = newCodeVerifier();
  const good = {
    response_type: 'code',
    client_id: 'portal',
    redirect_uri: 'https://portal.example/cb',
    launch: 'L1',
    scope: 'launch patient/*.rs openid',
    state: 'S1',
    aud: base,
    code_challenge: s256ChallengeOf(verifier),
    code_challenge_method: 'S256',
  };

  it('accepts a complete request and grants launch and patient/ reads only', () => {
    expect(checkAuthorizeRequest(good, clients, base)).toEqual({
      ok: true,
      clientId: 'portal',
      redirectUri: 'https://portal.example/cb',
      launch: 'L1',
      state: 'S1',
      codeChallenge: good.code_challenge,
      scope: 'launch patient/*.rs',
    });
    expect(checkAuthorizeRequest({ ...good, aud: `${base}/` }, clients, base).ok).toBe(true);
  });

  it('never redirects for an unknown client or an unregistered redirect URI', () => {
    expect(checkAuthorizeRequest({ ...good, client_id: 'evil' }, clients, base)).toMatchObject({
      ok: false,
      error: 'invalid_client',
      redirect: false,
    });
    expect(
      checkAuthorizeRequest({ ...good, redirect_uri: 'https://evil.example/cb' }, clients, base),
    ).toMatchObject({ ok: false, error: 'invalid_request', redirect: false });
    expect(
      checkAuthorizeRequest({ ...good, redirect_uri: 'https://portal.example/cb/../x' }, clients, base),
    ).toMatchObject({ redirect: false });
  });

  it.each([
    [{ response_type: 'token' }, 'unsupported_response_type', /response_type/],
    [{ state: undefined }, 'invalid_request', /state/],
    [{ launch: undefined }, 'invalid_request', /launch/],
    [{ aud: 'https://other.example/fhir' }, 'invalid_request', /aud must be/],
    [{ code_challenge_method: 'plain' }, 'invalid_request', /plain is not supported: use S256/],
    [{ code_challenge_method: undefined }, 'invalid_request', /PKCE is required/],
    [{ code_challenge: 'too-short' }, 'invalid_request', /code_challenge/],
    [{ scope: 'launch user/*.cruds' }, 'invalid_scope', /patient\/ read/],
    [{ scope: 'patient/*.rs' }, 'invalid_scope', /launch/],
  ] as [Record<string, string | undefined>, string, RegExp][])(
    'refuses %p with %s, back to the client with the state',
    (change, error, description) => {
      const refusal = checkAuthorizeRequest({ ...good, ...change }, clients, base);
      expect(refusal).toMatchObject({ ok: false, error, redirect: true, redirectUri: good.redirect_uri });
      expect(refusal.ok === false && refusal.description).toMatch(description);
      if (!('state' in change)) expect(refusal).toMatchObject({ state: 'S1' });
    },
  );

  it('grants only patient/ read and search scopes, never writes', () => {
    expect(grantedScope('launch patient/Observation.rs patient/*.cruds patient/Patient.read')).toBe(
      'launch patient/Observation.rs patient/Patient.read',
    );
    expect(grantedScope('launch patient/*.cud')).toBeUndefined();
  });

  it('parses client registrations and refuses malformed ones', () => {
    expect(clients).toEqual([
      { clientId: 'portal', redirectUris: ['https://portal.example/cb', 'https://portal.example/cb2'] },
      { clientId: 'other', redirectUris: ['http://x/cb'] },
    ]);
    expect(() => parseSmartClients('portal')).toThrow(/client_id=/);
    expect(() => parseSmartClients('portal=ftp://x')).toThrow(/client_id=/);
  });

  it('publishes the SMART configuration the EHR launch needs', () => {
    const configuration = smartConfiguration({
      issuer: base,
      authorize: 'https://a/authorize',
      token: 'https://a/token',
    });
    expect(configuration.code_challenge_methods_supported).toEqual(['S256']);
    expect(configuration.grant_types_supported).toEqual(['authorization_code']);
    expect(configuration.capabilities).toEqual(
      expect.arrayContaining(['launch-ehr', 'context-ehr-patient', 'client-public', 'permission-v2']),
    );
  });
});
