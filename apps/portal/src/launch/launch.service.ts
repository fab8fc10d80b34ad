import { AuthConfig, PortalConfig } from '@continuum/config';
import { isFhirError, nhsNumberProblem } from '@continuum/fhir';
import { JwtVerifier, runWithAccess } from '@continuum/security';
import { UsedLaunchTokens } from '@continuum/store/launch';
import { Injectable } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import { PatientFinder } from '../find/patient-finder';
import { accessOf } from '../session/portal-access';
import { isPortalUserRole, type PortalSession, PRIVACY_OFFICER } from '../session/portal-session';
import { LaunchRefusal } from './launch.refusal';

/** The claims of a signed-token URL launch (besides iss, aud, exp, iat, jti). */
export interface LaunchClaims extends JWTPayload {
  /** The user's display name. */
  name?: string;
  role?: string;
  org?: string;
  nhs_number?: string;
  birth_date?: string;
}

/**
 * The signed-token URL launch: a clinical system sends the user to `/launch?token=<JWT>` with a short-lived token
 * signed by a key the portal trusts (the configured issuer's JWKS), whose audience is the portal, naming the user,
 * their role and organisation and, for a launch in patient context, the NHS number and birth date. Each token is
 * accepted once (its `jti` goes in a ledger). The patient comes from the signed claims only, checked against the
 * record: the NHS number's check digit, then the birth date of the record found.
 */
@Injectable()
export class LaunchService {
  private readonly verifier: JwtVerifier;

  constructor(
    auth: AuthConfig,
    private readonly portal: PortalConfig,
    private readonly usedTokens: UsedLaunchTokens,
    private readonly finder: PatientFinder,
  ) {
    this.verifier = new JwtVerifier({ ...auth, audience: portal.launchAudience });
  }

  /** The session a valid launch token opens; a LaunchRefusal (naming the verified caller, if any) otherwise. */
  async launch(token: string | undefined): Promise<PortalSession> {
    if (!token) throw new LaunchRefusal('invalid-token', 'The link carries no launch token', 401);
    const claims = await this.verify(token);
    const session = this.sessionOf(claims);
    try {
      const expiresAt = new Date((claims.exp ?? 0) * 1000);
      if (!(await this.usedTokens.claim({ jti: claims.jti as string, subject: session.subject, expiresAt })))
        throw new LaunchRefusal(
          'replay',
          'This launch token was used before; open the portal again from your system',
        );
      // a privacy officer opens no record: a patient in their launch is not looked up
      if (!claims.nhs_number || session.role === PRIVACY_OFFICER) return session;
      return { ...session, patientId: await this.patientOf(session, claims.nhs_number, claims.birth_date) };
    } catch (error) {
      if (error instanceof LaunchRefusal) error.caller = session;
      throw error;
    }
  }

  private async verify(token: string): Promise<LaunchClaims> {
    let claims: LaunchClaims;
    try {
      claims = (await this.verifier.verify(token)) as LaunchClaims;
    } catch (error) {
      const message = isFhirError(error)
        ? error.message.replace('access token', 'launch token')
        : 'The launch token could not be verified';
      if (/expired/.test(message)) throw new LaunchRefusal('expired', message, 401);
      if (/\baud\b/.test(message)) throw new LaunchRefusal('wrong-audience', message, 401);
      throw new LaunchRefusal('invalid-token', message, 401);
    }
    if (
      typeof claims.jti !== 'string' ||
      !claims.jti ||
      typeof claims.iat !== 'number' ||
      typeof claims.exp !== 'number'
    )
      throw new LaunchRefusal('missing-claims', 'A launch token must carry jti, iat and exp');
    if (claims.exp - claims.iat > this.portal.launchMaxAgeSeconds)
      throw new LaunchRefusal(
        'invalid-token',
        `A launch token may live at most ${this.portal.launchMaxAgeSeconds} seconds`,
        401,
      );
    return claims;
  }

  private sessionOf(claims: LaunchClaims): PortalSession {
    const missing = [
      !claims.sub && 'sub (the user)',
      !isPortalUserRole(claims.role) &&
        'role (gp, acute, community, mental-health, social-care, urgent-care or privacy-officer)',
      !(typeof claims.org === 'string' && claims.org.trim()) && 'org (ODS code)',
    ].filter(Boolean);
    if (missing.length)
      throw new LaunchRefusal('missing-claims', `The launch token lacks ${missing.join(', ')}`);
    return {
      subject: claims.sub as string,
      role: claims.role as PortalSession['role'],
      organisation: (claims.org as string).trim(),
      ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
    };
  }

  /** The record the launch names, found as the launching user would find it (their access applies). */
  private async patientOf(
    session: PortalSession,
    nhsNumber: string,
    birthDate: string | undefined,
  ): Promise<string> {
    const problem = nhsNumberProblem(nhsNumber);
    if (problem)
      throw new LaunchRefusal('invalid-nhs-number', problem.replace(/'[^']*'/, '').replace('  ', ' '));
    if (!birthDate)
      throw new LaunchRefusal(
        'missing-claims',
        'A launch with an NHS number must carry the birth date (birth_date)',
      );
    const request = { method: 'GET', url: '/launch', audited: 0 };
    const found = await runWithAccess(accessOf(session), request, () => this.finder.byNhsNumber(nhsNumber));
    if (!found.found) throw new LaunchRefusal('no-record', found.message, 404);
    const matching = found.patients.find((patient) => patient.birthDate === birthDate);
    if (!matching)
      throw new LaunchRefusal(
        'birth-date-mismatch',
        'The launching system and the record disagree on the date of birth: check the patient',
      );
    return matching.id as string;
  }
}
