import { forbidden, unauthorized } from '@continuum/fhir';
import {
  type Interaction,
  parseScopes,
  type ScopeContext,
  type ScopeGrant,
} from '../scopes/smart-scope.parser';

/** v3 ActReason purposes of use the platform distinguishes (the code travels into every AuditEvent). */
export type PurposeOfUse = 'TREAT' | 'ETREAT' | 'HOPERAT' | 'HRESCH' | 'PUBHLTH' | 'HSYSADMIN';
const PURPOSES: readonly PurposeOfUse[] = ['TREAT', 'ETREAT', 'HOPERAT', 'HRESCH', 'PUBHLTH', 'HSYSADMIN'];
/** Purposes the national data opt-out covers (research and planning, not direct care). */
const SECONDARY: ReadonlySet<PurposeOfUse> = new Set(['HOPERAT', 'HRESCH', 'PUBHLTH']);

export type Role = 'clinician' | 'auditor' | 'analyst' | 'identity-admin';
const ROLES: readonly Role[] = ['clinician', 'auditor', 'analyst', 'identity-admin'];

/** The role that may change who is the same person (`Patient.link`): an identity (master patient index) administrator. */
export const IDENTITY_ADMIN: Role = 'identity-admin';

/** Audit records are reachable only by a scope that names AuditEvent: `*` never includes them. */
export const AUDIT_TYPE = 'AuditEvent';

/** Who is asking and what they may do: built once per request from a validated token. */
export interface AccessContext {
  subject: string;
  clientId: string;
  /** ODS code of the caller's organisation (`org` claim). */
  organisation?: string;
  role?: Role;
  context: ScopeContext;
  grants: ScopeGrant[];
  /** For `patient/` tokens: only these patients' compartments are visible, whatever the query. */
  patientIds?: string[];
  purposeOfUse: PurposeOfUse;
  /** Set when a clinician broke the glass on a patient's objection; audited and flagged. */
  breakGlassReason?: string;
}

/** The claims this platform reads from a validated access token. */
export interface AccessClaims {
  sub?: unknown;
  client_id?: unknown;
  azp?: unknown;
  scope?: unknown;
  patient?: unknown;
  org?: unknown;
  role?: unknown;
  purpose_of_use?: unknown;
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/**
 * Who a validated token says is calling, for the audit of a request refused before (or while) its access context is
 * built: the subject and client, and the organisation and role when stated. Undefined without a subject.
 */
export function callerFrom(
  claims: AccessClaims,
): Pick<AccessContext, 'subject' | 'clientId' | 'organisation'> | undefined {
  const subject = text(claims.sub);
  if (!subject) return undefined;
  return {
    subject,
    clientId: text(claims.client_id) ?? text(claims.azp) ?? subject,
    organisation: text(claims.org),
  };
}

/**
 * Builds the access context from validated claims. One token, one context: mixing `patient/`, `user/` and `system/`
 * scopes is refused rather than guessed at. `user/` scopes need a role claim; `patient/` scopes a patient claim.
 */
export function accessContextFrom(
  claims: AccessClaims,
  request: { breakGlassReason?: string } = {},
): AccessContext {
  const subject = text(claims.sub);
  if (!subject) throw unauthorized('The token has no subject (sub)');
  const clientId = text(claims.client_id) ?? text(claims.azp) ?? subject;
  const { grants } = parseScopes(text(claims.scope) ?? '');
  const contexts = [...new Set(grants.map((grant) => grant.context))];
  if (contexts.length !== 1)
    throw forbidden(
      contexts.length
        ? 'The token mixes patient/, user/ and system/ scopes'
        : 'The token grants no FHIR scope',
    );
  const context = contexts[0];
  const role = text(claims.role) as Role | undefined;
  if (role && !ROLES.includes(role)) throw forbidden(`Unknown role '${role}'`);
  if (context === 'user' && !role) throw forbidden('user/ scopes need a role claim');
  const patient = text(claims.patient);
  if (context === 'patient' && !patient)
    throw forbidden('patient/ scopes need a patient claim (launch/patient)');
  const purposeOfUse = purposeFrom(claims.purpose_of_use, role, context);
  const breakGlassReason = text(request.breakGlassReason);
  if (breakGlassReason && (role !== 'clinician' || context !== 'user'))
    throw forbidden('Only clinicians (user/ scopes, role clinician) can break the glass');
  return {
    subject,
    clientId,
    organisation: text(claims.org),
    role,
    context,
    grants,
    patientIds: context === 'patient' && patient ? [patient] : undefined,
    purposeOfUse: breakGlassReason ? 'ETREAT' : purposeOfUse,
    breakGlassReason,
  };
}

function purposeFrom(claim: unknown, role: Role | undefined, context: ScopeContext): PurposeOfUse {
  const stated = text(claim) as PurposeOfUse | undefined;
  if (stated && !PURPOSES.includes(stated)) throw forbidden(`Unknown purpose of use '${stated}'`);
  if (role === 'analyst' && stated && !SECONDARY.has(stated))
    throw forbidden('Analysts work for secondary purposes only');
  if (stated) return stated;
  if (role === 'analyst') return 'HRESCH';
  return context === 'system' || role === IDENTITY_ADMIN ? 'HSYSADMIN' : 'TREAT';
}

/** What each role may do at most, whatever its `user/` scopes say. */
const ROLE_CEILING: Record<Role, (resourceType: string, interaction: Interaction) => boolean> = {
  clinician: (type) => type !== AUDIT_TYPE,
  auditor: (type, interaction) => type === AUDIT_TYPE && (interaction === 'r' || interaction === 's'),
  analyst: (type, interaction) => type !== AUDIT_TYPE && (interaction === 'r' || interaction === 's'),
  // finds patients and links or unlinks them; creating or deleting records, and clinical data, are not its work
  'identity-admin': (type, interaction) =>
    type === 'Patient' && (interaction === 'r' || interaction === 's' || interaction === 'u'),
};

/** True when the context may perform `interaction` on `resourceType`. AuditEvents are never written through the API. */
export function can(access: AccessContext, resourceType: string, interaction: Interaction): boolean {
  if (resourceType === AUDIT_TYPE && interaction !== 'r' && interaction !== 's') return false;
  if (access.context === 'patient' && resourceType === AUDIT_TYPE) return false;
  if (access.role && !ROLE_CEILING[access.role](resourceType, interaction)) return false;
  return access.grants.some(
    (grant) =>
      (grant.resourceType === resourceType || (grant.resourceType === '*' && resourceType !== AUDIT_TYPE)) &&
      grant.interactions.has(interaction),
  );
}

/**
 * The patients a patient/ token acts for (undefined for other tokens): the token's patient and, once the API's
 * PersonScope has widened the context at the edge, every record of that person. Every patient/ rule asks this one
 * function.
 */
export function tokenPerson(access: AccessContext): string[] | undefined {
  return access.patientIds;
}

/** Secondary use (research, planning): the national data opt-out applies. */
export function isSecondaryUse(access: AccessContext): boolean {
  return SECONDARY.has(access.purposeOfUse);
}

/** Direct care by a clinician of some organisation: sharing objections apply unless the glass is broken. */
export function isOtherOrganisationCare(access: AccessContext): boolean {
  return access.context === 'user' && access.role === 'clinician';
}
