import type { Patient } from 'fhir/r4';
import { buildPatientBanner, type PatientBanner } from './patient-banner';
import type { PersonRecord } from './person-record';
import { buildSection, type RecordSection, type SectionId } from './record-sections';
import type { SensitiveCategory } from './sensitive-categories';

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
  /**
   * Whether a user in this role may ask to see the sensitive categories withheld from the view (giving a reason,
   * audited). False for roles that must never see them, however asked.
   */
  sensitiveOnRequest: boolean;
  /** Sensitive categories that are this role's own work: shown, marked, without asking. */
  ownSensitive?: readonly SensitiveCategory[];
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
    sensitiveOnRequest: true,
  },
  acute: {
    role: 'acute',
    title: 'Acute and emergency care',
    sections: [...URGENT_CARE_RECORD, 'investigation-results', 'procedures'],
    sensitiveOnRequest: true,
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
    sensitiveOnRequest: true,
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
    sensitiveOnRequest: true,
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
    sensitiveOnRequest: true,
    ownSensitive: ['mental-health'],
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
    // social care works outside the NHS confidentiality regime these categories are withheld under
    sensitiveOnRequest: false,
  },
};

export function isPortalRole(value: unknown): value is PortalRole {
  return typeof value === 'string' && (PORTAL_ROLES as readonly string[]).includes(value);
}

export interface BuiltRoleView {
  view: RoleView;
  banner: PatientBanner;
  sections: RecordSection[];
  sensitive: SensitiveSummary;
}

/** What the view withheld and revealed, for the page (a count, never what) and for the audit (what was revealed). */
export interface SensitiveSummary {
  /** Items left out across the view's sections. */
  withheld: number;
  /** Whether the user may ask to see them: the role allows it and something is withheld. */
  offered: boolean;
  /** Items shown only because the user asked (not the role's own categories), with their category. */
  revealed: { ref: string; category: SensitiveCategory }[];
}

/**
 * A role's view of one person: the banner and the role's sections, in order. Pure. `includeSensitive` (the user
 * asked) is honoured only for roles that may ask; the role's own sensitive categories are always shown.
 */
export function buildRoleView(
  role: PortalRole,
  record: PersonRecord & { patients: Patient[] },
  options: { now: Date; includeSensitive?: boolean },
): BuiltRoleView {
  const view = ROLE_VIEWS[role];
  const includeSensitive = view.sensitiveOnRequest && options.includeSensitive === true;
  const sections = view.sections.map((id) =>
    buildSection(id, record, { now: options.now, includeSensitive, ownSensitive: view.ownSensitive }),
  );
  const withheld = sections.reduce((sum, section) => sum + section.hiddenSensitive, 0);
  const revealed = new Map<string, SensitiveCategory>();
  for (const item of sections.flatMap((section) => section.items))
    if (item.sensitive && !view.ownSensitive?.includes(item.sensitive)) revealed.set(item.ref, item.sensitive);
  return {
    view,
    banner: buildPatientBanner(record.patients, options.now),
    sections,
    sensitive: {
      withheld,
      offered: view.sensitiveOnRequest && withheld > 0,
      revealed: [...revealed].map(([ref, category]) => ({ ref, category })),
    },
  };
}
