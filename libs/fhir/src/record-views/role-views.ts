import type { Patient } from 'fhir/r4';
import { buildPatientBanner, type PatientBanner } from './patient-banner';
import type { PersonRecord } from './person-record';
import { buildSection, type RecordSection, type SectionId } from './record-sections';

/** The groups of professionals the portal has a view for. */
export type PortalRole = 'gp' | 'acute' | 'community' | 'mental-health' | 'social-care' | 'urgent-care';
export const PORTAL_ROLES: readonly PortalRole[] = [
  'gp',
  'acute',
  'community',
  'mental-health',
  'social-care',
  'urgent-care',
];

export interface RoleView {
  role: PortalRole;
  title: string;
  /** PRSB Core Information Standard sections, in the order shown. */
  sections: readonly SectionId[];
}

const URGENT_CARE_RECORD: readonly SectionId[] = [
  'allergies-and-adverse-reactions',
  'problems-and-diagnoses',
  'medications-and-medical-devices',
  'safety-alerts',
  'end-of-life-care',
  'professional-contacts',
  'encounters',
];

/**
 * Each role's view: a declared list of sections (one template set renders them all). Social care sees no clinical
 * sections: alerts, the teams involved, care plans and social context; its token scopes keep to the same types.
 */
export const ROLE_VIEWS: Record<PortalRole, RoleView> = {
  'urgent-care': {
    role: 'urgent-care',
    title: 'Ambulance, 111 and out-of-hours: urgent care record',
    sections: URGENT_CARE_RECORD,
  },
  acute: {
    role: 'acute',
    title: 'Acute and emergency care',
    sections: [...URGENT_CARE_RECORD, 'investigation-results', 'procedures'],
  },
  gp: {
    role: 'gp',
    title: 'General practice',
    sections: [
      'problems-and-diagnoses',
      'medications-and-medical-devices',
      'allergies-and-adverse-reactions',
      'safety-alerts',
      'encounters',
      'investigation-results',
      'procedures',
      'vaccinations',
      'plan-and-requested-actions',
      'end-of-life-care',
      'professional-contacts',
    ],
  },
  community: {
    role: 'community',
    title: 'Community nursing and therapy',
    sections: [
      'safety-alerts',
      'allergies-and-adverse-reactions',
      'medications-and-medical-devices',
      'problems-and-diagnoses',
      'plan-and-requested-actions',
      'end-of-life-care',
      'professional-contacts',
      'encounters',
    ],
  },
  'mental-health': {
    role: 'mental-health',
    title: 'Mental health',
    sections: [
      'safety-alerts',
      'problems-and-diagnoses',
      'medications-and-medical-devices',
      'allergies-and-adverse-reactions',
      'plan-and-requested-actions',
      'professional-contacts',
      'encounters',
    ],
  },
  'social-care': {
    role: 'social-care',
    title: 'Social care',
    sections: [
      'safety-alerts',
      'professional-contacts',
      'plan-and-requested-actions',
      'end-of-life-care',
      'social-context',
    ],
  },
};

export function isPortalRole(value: unknown): value is PortalRole {
  return typeof value === 'string' && (PORTAL_ROLES as readonly string[]).includes(value);
}

export interface BuiltRoleView {
  view: RoleView;
  banner: PatientBanner;
  sections: RecordSection[];
}

/** A role's view of one person: the banner and the role's sections, in order. Pure. */
export function buildRoleView(
  role: PortalRole,
  record: PersonRecord & { patients: Patient[] },
  options: { now: Date; includeSensitive?: boolean },
): BuiltRoleView {
  const view = ROLE_VIEWS[role];
  return {
    view,
    banner: buildPatientBanner(record.patients, options.now),
    sections: view.sections.map((id) => buildSection(id, record, options)),
  };
}
