import type { CareTeam, Encounter, EpisodeOfCare, Patient, Reference, Resource } from 'fhir/r4';
import { IdentifierSystem } from '../identifier-systems';

/**
 * Why a user's organisation may see a person's record for direct care, derived from what the sources sent:
 * - `registration`: the organisation is the person's GP practice (generalPractitioner / managingOrganization), or its
 *   own system sent a record of the person (`meta.source`: a practice or PAS registration);
 * - `attendance`: an encounter (admission, attendance, out-of-hours case, ambulance call) with it in the last 12 months;
 * - `caseload`: an active episode of care (referral, caseload, social-care involvement) it manages, or one ended in
 *   the last 90 days;
 * - `care-team`: an active care team it manages.
 * Without one, the user must break the glass (a reason, audited and flagged to the privacy officer).
 */
export type RelationshipBasis = 'registration' | 'attendance' | 'caseload' | 'care-team';

export interface LegitimateRelationship {
  basis: RelationshipBasis;
  /** `Type/id` of the record the relationship rests on. */
  evidence: string;
}

export interface RelationshipEvidence {
  patients: Patient[];
  encounters?: Encounter[];
  episodes?: EpisodeOfCare[];
  careTeams?: CareTeam[];
}

const DAY_MS = 86_400_000;
export const ATTENDANCE_WINDOW_DAYS = 365;
export const CASELOAD_AFTER_END_DAYS = 90;

/** The ODS code a reference names (its identifier), or that the resource's source system is (`<ODS>:<product>`). */
function odsOf(reference: Reference | undefined): string | undefined {
  const identifier = reference?.identifier;
  return identifier?.system === IdentifierSystem.odsOrganisationCode
    ? identifier.value?.toUpperCase()
    : undefined;
}
const sourceOds = (resource: Resource) =>
  resource.meta?.source?.split(':')[0]?.trim().toUpperCase() || undefined;
const ref = (resource: Resource) => `${resource.resourceType}/${resource.id ?? ''}`;
const within = (date: string | undefined, days: number, now: Date) =>
  !!date && now.getTime() - new Date(date).getTime() <= days * DAY_MS;

/** The first relationship the organisation has with the person, or undefined (the glass must be broken). Pure. */
export function legitimateRelationship(
  organisation: string,
  evidence: RelationshipEvidence,
  now: Date,
): LegitimateRelationship | undefined {
  const ods = organisation.trim().toUpperCase();
  const ours = (resource: Resource, named: Reference[]) =>
    named.some((reference) => odsOf(reference) === ods) || sourceOds(resource) === ods;

  const registered = evidence.patients.find((p) =>
    ours(p, [...(p.generalPractitioner ?? []), ...(p.managingOrganization ? [p.managingOrganization] : [])]),
  );
  if (registered) return { basis: 'registration', evidence: ref(registered) };

  const attended = (evidence.encounters ?? []).find(
    (e) =>
      ours(e, e.serviceProvider ? [e.serviceProvider] : []) &&
      e.status !== 'cancelled' &&
      e.status !== 'entered-in-error' &&
      within(e.period?.end ?? e.period?.start, ATTENDANCE_WINDOW_DAYS, now),
  );
  if (attended) return { basis: 'attendance', evidence: ref(attended) };

  const episode = (evidence.episodes ?? []).find(
    (e) =>
      ours(e, e.managingOrganization ? [e.managingOrganization] : []) &&
      (e.status === 'active' ||
        e.status === 'waitlist' ||
        e.status === 'onhold' ||
        (e.status === 'finished' && within(e.period?.end, CASELOAD_AFTER_END_DAYS, now))),
  );
  if (episode) return { basis: 'caseload', evidence: ref(episode) };

  const team = (evidence.careTeams ?? []).find(
    (t) =>
      ours(t, t.managingOrganization ?? []) &&
      t.status === 'active' &&
      (!t.period?.end || new Date(t.period.end) >= now),
  );
  if (team) return { basis: 'care-team', evidence: ref(team) };
  return undefined;
}
