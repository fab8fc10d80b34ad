import { PortalConfig } from '@continuum/config';
import { type PortalRole, isPortalRole } from '@continuum/fhir';
import { Injectable } from '@nestjs/common';
import { jwtVerify, SignJWT } from 'jose';

/** Reviews break-glass alerts and who viewed a record; opens no record itself. */
export const PRIVACY_OFFICER = 'privacy-officer';
/** A clinical role view, or the privacy officer. */
export type PortalUserRole = PortalRole | typeof PRIVACY_OFFICER;

export function isPortalUserRole(value: unknown): value is PortalUserRole {
  return value === PRIVACY_OFFICER || isPortalRole(value);
}

/** Who is signed in to the portal, and the patient in context: held only in a signed, HttpOnly cookie. */
export interface PortalSession {
  /** The user (SDS user id or the launching system's user id). */
  subject: string;
  /** The user's name as the launching system gave it (shown in the header). */
  name?: string;
  role: PortalUserRole;
  /** ODS code of the user's organisation. */
  organisation: string;
  /** The Patient record in context: set by a verified launch or by the user's own search, never by a query parameter. */
  patientId?: string;
  /** The glass broken for the patient in context: the reason given (every read then audited as emergency access). */
  breakGlass?: ReasonForPatient;
  /** Sensitive information shown on request, for this patient only: the reason given (audited when chosen). */
  sensitiveShown?: ReasonForPatient;
}

/** A choice the user made, with their reason, that holds for one patient only. */
export interface ReasonForPatient {
  patientId: string;
  reason: string;
}

export const SESSION_COOKIE = 'continuum_portal';
const ISSUER = 'continuum-portal';
const CHOICE_AUDIENCE = 'continuum-portal-find';

/** Signs and reads the session cookie (HS256 with the configured secret): the portal keeps no session state. */
@Injectable()
export class PortalSessions {
  private readonly key: Uint8Array;

  constructor(private readonly config: PortalConfig) {
    this.key = new TextEncoder().encode(config.sessionSecret);
  }

  async seal(session: PortalSession): Promise<string> {
    return new SignJWT({ ...session })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.config.sessionMinutes}m`)
      .sign(this.key);
  }

  /** The session a cookie holds, or undefined when it is absent, forged, expired or malformed. */
  async open(cookie: string | undefined): Promise<PortalSession | undefined> {
    if (!cookie) return undefined;
    try {
      const { payload } = await jwtVerify(cookie, this.key, {
        issuer: ISSUER,
        audience: ISSUER,
        algorithms: ['HS256'],
      });
      const { subject, name, role, organisation, patientId, breakGlass, sensitiveShown } = payload as Record<
        string,
        unknown
      >;
      if (typeof subject !== 'string' || typeof organisation !== 'string' || !isPortalUserRole(role))
        return undefined;
      return {
        subject,
        role,
        organisation,
        ...(typeof name === 'string' ? { name } : {}),
        ...(typeof patientId === 'string' ? { patientId } : {}),
        ...(isReasonForPatient(breakGlass) ? { breakGlass } : {}),
        ...(isReasonForPatient(sensitiveShown) ? { sensitiveShown } : {}),
      };
    } catch {
      return undefined;
    }
  }

  /**
   * A person found by this user's search, to open from the results: signed for this user, short-lived, so the
   * patient in context still comes only from a search they ran (never from a patient id anyone could post).
   */
  async sealChoice(subject: string, patientId: string): Promise<string> {
    return new SignJWT({ patientId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(CHOICE_AUDIENCE)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(this.key);
  }

  /** The patient a choice names, if it was made for this user and has not expired. */
  async openChoice(subject: string, choice: unknown): Promise<string | undefined> {
    if (typeof choice !== 'string' || !choice) return undefined;
    try {
      const { payload } = await jwtVerify(choice, this.key, {
        issuer: ISSUER,
        audience: CHOICE_AUDIENCE,
        subject,
        algorithms: ['HS256'],
      });
      return typeof payload.patientId === 'string' ? payload.patientId : undefined;
    } catch {
      return undefined;
    }
  }

  cookieOptions() {
    return {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.config.publicUrl.startsWith('https:'),
      path: '/',
      maxAge: this.config.sessionMinutes * 60_000,
    };
  }
}

function isReasonForPatient(value: unknown): value is ReasonForPatient {
  const candidate = value as { patientId?: unknown; reason?: unknown } | undefined;
  return typeof candidate?.patientId === 'string' && typeof candidate.reason === 'string';
}
