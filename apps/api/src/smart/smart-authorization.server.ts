import { AuthConfig, HttpConfig, SmartConfig } from '@continuum/config';
import { badRequest, forbidden, isPortalRole } from '@continuum/fhir';
import { currentCorrelationId } from '@continuum/observability';
import {
  type AccessContext,
  AuditRecorder,
  type AuditedCaller,
  checkAuthorizeRequest,
  currentRequest,
  LocalIssuer,
  opaqueValue,
  parseSmartClients,
  type SmartClient,
  smartConfiguration,
  storedHashOf,
  verifierAnswers,
} from '@continuum/security';
import { ResourceStore } from '@continuum/store';
import { type RedeemRefusal, SmartLaunches } from '@continuum/store/launch';
import { Injectable } from '@nestjs/common';

/** The answer to an authorize request: a redirect to the client, or (client or redirect URI untrusted) a refusal. */
export type AuthorizeAnswer = { redirect: string } | { status: 400; error: string; description: string };

/** The token endpoint's answer: the SMART token response, or an OAuth error (RFC 6749 5.2). */
export type TokenAnswer =
  | { status: 200; body: SmartTokenResponse }
  | { status: 400 | 401; body: { error: string; error_description: string } };

export interface SmartTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  patient: string;
  fhirUser?: string;
  need_patient_banner: boolean;
}

const AUTHORIZE = '/auth/authorize';
const TOKEN = '/auth/token';

const REDEEM_TEXT: Record<RedeemRefusal, string> = {
  unknown: 'is not known',
  used: 'was used before (each is single use)',
  expired: 'has expired',
};

/**
 * Continuum as the SMART App Launch 2.x authorization server for the EHR launch: an authenticated EHR registers a
 * launch context; the app's authorize request redeems it (once) for a short-lived code bound to the client, its
 * redirect URI and the PKCE S256 challenge; the token endpoint redeems the code (once) against the verifier and
 * issues an access token the API's own verifier accepts (same issuer, audience and key set), scoped to the patient.
 * Every refusal and every issued token is audited.
 */
@Injectable()
export class SmartAuthorizationServer {
  private readonly clients: SmartClient[];
  private readonly issuer: LocalIssuer;
  readonly fhirBaseUrl: string;
  private readonly origin: string;

  constructor(
    private readonly smart: SmartConfig,
    auth: AuthConfig,
    http: HttpConfig,
    private readonly launches: SmartLaunches,
    private readonly audit: AuditRecorder,
    private readonly store: ResourceStore,
  ) {
    this.clients = parseSmartClients(smart.clients);
    this.issuer = new LocalIssuer(auth.keysDir, auth.issuer, auth.audience);
    this.fhirBaseUrl = http.fhirBaseUrl.replace(/\/$/, '');
    this.origin = new URL(this.fhirBaseUrl).origin;
  }

  configuration() {
    return smartConfiguration({
      issuer: this.fhirBaseUrl,
      authorize: `${this.origin}/auth/authorize`,
      token: `${this.origin}/auth/token`,
    });
  }

  /**
   * An EHR (a system/ client that may read the patient) registers who is launching which patient. The patient is
   * read through the secured door as the EHR, so it must exist and be visible to it.
   */
  async registerLaunch(
    access: AccessContext,
    body: unknown,
  ): Promise<{ launch: string; expires_in: number }> {
    if (access.context !== 'system')
      throw forbidden('Only an EHR system client (system/ scopes) can register a launch');
    const input = (body ?? {}) as Record<string, unknown>;
    const text = (name: string) =>
      typeof input[name] === 'string' && input[name] ? (input[name] as string) : undefined;
    const [subject, role, organisation, patient] = [
      text('user'),
      text('role'),
      text('organisation'),
      text('patient'),
    ];
    if (!subject || !organisation || !patient || !isPortalRole(role))
      throw badRequest(
        'A launch needs user, role (gp, acute, community, mental-health, social-care or urgent-care), organisation (ODS code) and patient (a Patient id)',
      );
    const patientId = patient.replace(/^Patient\//, '');
    await this.store.read('Patient', patientId);
    const launch = opaqueValue();
    const expiresAt = new Date(Date.now() + this.smart.launchSeconds * 1000);
    await this.launches.register(
      launch,
      {
        registeredBy: access.clientId,
        subject,
        userName: text('name'),
        fhirUser: text('fhirUser'),
        portalRole: role,
        organisation,
        patientId,
      },
      expiresAt,
    );
    await this.record(
      '/auth/launch',
      201,
      `SMART launch registered by ${access.clientId} for ${subject} (${role}, ${organisation})`,
      access,
      [patientId],
    );
    return { launch, expires_in: this.smart.launchSeconds };
  }

  async authorize(query: Record<string, unknown>): Promise<AuthorizeAnswer> {
    const checked = checkAuthorizeRequest(query, this.clients, this.fhirBaseUrl);
    if (!checked.ok) {
      await this.record(AUTHORIZE, 400, `SMART authorize refused (${checked.error}): ${checked.description}`);
      if (!checked.redirect) return { status: 400, error: checked.error, description: checked.description };
      return {
        redirect: withQuery(checked.redirectUri!, {
          error: checked.error,
          error_description: checked.description,
          state: checked.state,
        }),
      };
    }
    const launch = await this.launches.redeemLaunch(checked.launch);
    if (!launch.ok) {
      const description = `The launch ${REDEEM_TEXT[launch.refusal]}`;
      await this.record(AUTHORIZE, 400, `SMART authorize refused (invalid_request): ${description}`);
      return {
        redirect: withQuery(checked.redirectUri, {
          error: 'invalid_request',
          error_description: description,
          state: checked.state,
        }),
      };
    }
    const code = opaqueValue();
    await this.launches.issueCode({
      codeHash: storedHashOf(code),
      launchId: checked.launch,
      clientId: checked.clientId,
      redirectUri: checked.redirectUri,
      codeChallenge: checked.codeChallenge,
      scope: checked.scope,
      expiresAt: new Date(Date.now() + this.smart.codeSeconds * 1000),
    });
    return { redirect: withQuery(checked.redirectUri, { code, state: checked.state }) };
  }

  async token(body: Record<string, unknown>): Promise<TokenAnswer> {
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
    const refuse = async (
      error: string,
      description: string,
      caller?: AuditedCaller,
      patientIds: string[] = [],
    ): Promise<TokenAnswer> => {
      await this.record(TOKEN, 400, `SMART token refused (${error}): ${description}`, caller, patientIds);
      return {
        status: error === 'invalid_client' ? 401 : 400,
        body: { error, error_description: description },
      };
    };
    if (text('grant_type') !== 'authorization_code')
      return refuse('unsupported_grant_type', 'grant_type must be authorization_code');
    const code = text('code');
    if (!code) return refuse('invalid_request', 'code is required');
    const redeemed = await this.launches.redeemCode(storedHashOf(code));
    if (!redeemed.ok)
      return refuse('invalid_grant', `The authorization code ${REDEEM_TEXT[redeemed.refusal]}`);
    const grant = redeemed.value;
    const context = grant.context;
    const caller = { subject: context.subject, clientId: grant.clientId, organisation: context.organisation };
    const patients = [context.patientId];
    if (text('client_id') !== grant.clientId)
      return refuse('invalid_grant', 'The code was issued to another client', caller, patients);
    if (text('redirect_uri') !== grant.redirectUri)
      return refuse('invalid_grant', 'redirect_uri differs from the authorize request', caller, patients);
    if (!verifierAnswers(text('code_verifier'), grant.codeChallenge))
      return refuse(
        'invalid_grant',
        'code_verifier does not match the code_challenge (PKCE S256)',
        caller,
        patients,
      );
    const accessToken = await this.issuer.sign({
      subject: context.subject,
      clientId: grant.clientId,
      scope: grant.scope,
      patient: context.patientId,
      role: 'clinician',
      organisation: context.organisation,
      purposeOfUse: 'TREAT',
      ttl: `${this.smart.accessTokenSeconds}s`,
      claims: {
        portal_role: context.portalRole,
        ...(context.userName ? { name: context.userName } : {}),
        ...(context.fhirUser ? { fhirUser: context.fhirUser } : {}),
      },
    });
    await this.record(
      TOKEN,
      200,
      `SMART access token issued to ${grant.clientId} (${grant.scope})`,
      { ...caller, role: 'clinician', purposeOfUse: 'TREAT' },
      patients,
    );
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: this.smart.accessTokenSeconds,
        scope: grant.scope,
        patient: context.patientId,
        ...(context.fhirUser ? { fhirUser: context.fhirUser } : {}),
        need_patient_banner: true,
      },
    };
  }

  /** One AuditEvent per authorization-server answer (codes, verifiers and tokens are never recorded). */
  private async record(
    url: string,
    status: number,
    description: string,
    caller?: AuditedCaller,
    patientIds: string[] = [],
  ): Promise<void> {
    const scoped = currentRequest(); // the launch registration runs in the EHR's access scope; the others are public
    await this.audit.recordAnswer(
      {
        method: url === AUTHORIZE ? 'GET' : 'POST',
        url,
        correlationId: currentCorrelationId(),
        patientIds,
        audited: 0,
      },
      { interaction: 'operation', status, description, caller },
    );
    if (scoped) scoped.audited += 1;
  }
}

function withQuery(base: string, parameters: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(parameters))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}
