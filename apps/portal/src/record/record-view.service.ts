import {
  buildPatientBanner,
  type BuiltRoleView,
  buildRoleView,
  legitimateRelationship,
  type LegitimateRelationship,
  type PatientBanner,
  type PersonRecord,
  resourceTypesFor,
  ROLE_VIEWS,
} from '@continuum/fhir';
import { Injectable } from '@nestjs/common';
import { relationshipTypes } from '../session/portal-access';
import type { PortalSession } from '../session/portal-session';
import type { PortalRole } from '@continuum/fhir';
import { PersonRecordLoader } from './person-record.loader';

/** The record page: the role's view, or, without a legitimate relationship or a broken glass, only the banner. */
export type RecordPage =
  | ({
      kind: 'view';
      relationship?: LegitimateRelationship;
      brokenGlass?: string;
      /** The reason the user gave for showing sensitive information, when it is shown. */
      sensitiveShown?: string;
    } & BuiltRoleView)
  | { kind: 'break-glass'; banner: PatientBanner };

const listOf = <T>(held: T[] | 'unavailable' | undefined): T[] => (Array.isArray(held) ? held : []);

/**
 * A role's view of the person in context: reads what the view's sections and the relationship check need through
 * the door, then builds it. The sections are shown only when the user's organisation has a legitimate relationship
 * with the person, or when the user broke the glass for this patient (then every read is audited as emergency
 * access, with the reason, for the privacy officer). Sensitive information is shown only to a user with a legitimate
 * relationship who asked for it for this patient (breaking the glass does not reach it), and only if the role may.
 */
@Injectable()
export class RecordViewService {
  constructor(private readonly loader: PersonRecordLoader) {}

  async page(
    session: PortalSession & { role: PortalRole; patientId: string },
    now = new Date(),
  ): Promise<RecordPage> {
    const types = [
      ...new Set([
        ...resourceTypesFor(ROLE_VIEWS[session.role].sections),
        ...relationshipTypes(session.role),
      ]),
    ];
    const record: PersonRecord = await this.loader.load(session.patientId, types);
    const relationship = legitimateRelationship(
      session.organisation,
      {
        patients: record.patients,
        encounters: listOf(record.resources.Encounter),
        episodes: listOf(record.resources.EpisodeOfCare),
        careTeams: listOf(record.resources.CareTeam),
      },
      now,
    );
    const brokenGlass =
      session.breakGlass?.patientId === session.patientId ? session.breakGlass.reason : undefined;
    if (!relationship && !brokenGlass)
      return { kind: 'break-glass', banner: buildPatientBanner(record.patients, now) };
    const asked =
      session.sensitiveShown?.patientId === session.patientId ? session.sensitiveShown.reason : undefined;
    const includeSensitive = Boolean(relationship && asked && ROLE_VIEWS[session.role].sensitiveOnRequest);
    const built = buildRoleView(session.role, record, { now, includeSensitive });
    return {
      kind: 'view',
      relationship,
      brokenGlass,
      ...(includeSensitive ? { sensitiveShown: asked } : {}),
      ...built,
      sensitive: { ...built.sensitive, offered: built.sensitive.offered && Boolean(relationship) },
    };
  }

  /** The banner of the person alone (the privacy officer's alert names the patient as the user saw them). */
  async banner(patientId: string, now = new Date()): Promise<PatientBanner> {
    return buildPatientBanner((await this.loader.load(patientId, [])).patients, now);
  }
}
