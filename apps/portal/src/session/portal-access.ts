import { type AccessContext, accessContextFrom } from '@continuum/security';
import { forbidden, type PortalRole } from '@continuum/fhir';
import { PRIVACY_OFFICER, type PortalSession } from './portal-session';

export const PORTAL_CLIENT_ID = 'continuum-portal';

/**
 * SMART scopes each portal role reads with. Clinical roles read the record; social care only the types of its view
 * (alerts, teams, care plans, social context), so the secured store itself refuses anything clinical.
 */
const ROLE_SCOPES: Record<PortalRole, string> = {
  gp: 'user/*.rs',
  acute: 'user/*.rs',
  community: 'user/*.rs',
  'mental-health': 'user/*.rs',
  'urgent-care': 'user/*.rs',
  'social-care':
    'user/Patient.rs user/Flag.rs user/CarePlan.rs user/CareTeam.rs user/Observation.rs user/EpisodeOfCare.rs',
};

/**
 * The signed-in user as the data layer sees them: built by the same function that turns a user/ token's claims
 * into an access context, so scopes, consent, break-glass, restricted people and audit apply as they do in the API.
 */
export function accessOf(session: PortalSession): AccessContext {
  // the privacy officer reads the audit trail only (the role ceiling of an auditor), never a clinical record
  if (session.role === PRIVACY_OFFICER)
    return accessContextFrom({
      sub: session.subject,
      client_id: PORTAL_CLIENT_ID,
      scope: 'user/AuditEvent.rs',
      role: 'auditor',
      org: session.organisation,
    });
  // the glass is broken for one patient only: a reason given for another never carries over
  const breakGlassReason =
    session.breakGlass && session.breakGlass.patientId === session.patientId
      ? session.breakGlass.reason
      : undefined;
  return accessContextFrom(
    {
      sub: session.subject,
      client_id: PORTAL_CLIENT_ID,
      scope: ROLE_SCOPES[session.role as PortalRole],
      role: 'clinician',
      org: session.organisation,
      purpose_of_use: 'TREAT',
    },
    { breakGlassReason },
  );
}

/** What a role's relationship check reads, within its scopes (social care has no encounters). */
export function relationshipTypes(role: PortalRole): ('Encounter' | 'EpisodeOfCare' | 'CareTeam')[] {
  return role === 'social-care' ? ['EpisodeOfCare', 'CareTeam'] : ['Encounter', 'EpisodeOfCare', 'CareTeam'];
}

/** A session in a clinical role view; the privacy officer is refused (they review access, they do not open records). */
export function clinicianOf(session: PortalSession): PortalSession & { role: PortalRole } {
  if (session.role === PRIVACY_OFFICER)
    throw forbidden('A privacy officer reviews access to records and does not open them');
  return session as PortalSession & { role: PortalRole };
}

/** A privacy officer's session; anyone else is refused. */
export function privacyOfficerOf(session: PortalSession): PortalSession {
  if (session.role !== PRIVACY_OFFICER)
    throw forbidden('Only the privacy officer can see break-glass alerts and who viewed a record');
  return session;
}
