import { FIXTURE_NOW, fixturePerson, GP_SOURCE, HOSPITAL_SOURCE } from './testing/fixture-person';
import { personRecordOf } from './testing/person-record-of';
import { buildRoleView, PORTAL_ROLES, type PortalRole } from './role-views';
import type { SectionId } from './record-sections';

/** The contract of each role view: role + the fixture person → exactly these sections, with exactly these items. */
const ITEMS: Record<SectionId, string[]> = {
  'allergies-and-adverse-reactions': ['Allergy to penicillin'],
  'problems-and-diagnoses': ['Chronic obstructive lung disease', 'Asthma'],
  'medications-and-medical-devices': [
    'Clarithromycin 500mg tablets',
    'Salbutamol 100micrograms/dose inhaler',
    'Ramipril 5mg capsules',
  ],
  'safety-alerts': ['Adult safeguarding concern: contact social care before discharge'],
  'end-of-life-care': ['ReSPECT form: not for CPR, ward-based care'],
  'plan-and-requested-actions': ['COPD self-management plan'],
  'professional-contacts': ['Leeds North district nursing team'],
  encounters: ['Emergency department attendance', 'GP surgery consultation', 'Respiratory inpatient stay'],
  'investigation-results': ['Haemoglobin'],
  procedures: ['Spirometry'],
  vaccinations: ['Influenza vaccine'],
  'social-context': ['Lives alone'],
};

const URGENT: SectionId[] = [
  'allergies-and-adverse-reactions',
  'problems-and-diagnoses',
  'medications-and-medical-devices',
  'safety-alerts',
  'end-of-life-care',
  'professional-contacts',
  'encounters',
];
const CONTRACT: Record<PortalRole, SectionId[]> = {
  'urgent-care': URGENT,
  acute: [...URGENT, 'investigation-results', 'procedures'],
  gp: [
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
  community: [
    'safety-alerts',
    'allergies-and-adverse-reactions',
    'medications-and-medical-devices',
    'problems-and-diagnoses',
    'plan-and-requested-actions',
    'end-of-life-care',
    'professional-contacts',
    'encounters',
  ],
  'mental-health': [
    'safety-alerts',
    'problems-and-diagnoses',
    'medications-and-medical-devices',
    'allergies-and-adverse-reactions',
    'plan-and-requested-actions',
    'professional-contacts',
    'encounters',
  ],
  'social-care': [
    'safety-alerts',
    'professional-contacts',
    'plan-and-requested-actions',
    'end-of-life-care',
    'social-context',
  ],
};

describe('role views: role + fixture person → exactly the expected sections and items', () => {
  const person = fixturePerson({ prefix: 'ada', nhsNumber: '9434765919' });
  const record = personRecordOf(person.patients, person.resources);

  it.each(PORTAL_ROLES)('the %s view', (role) => {
    const built = buildRoleView(role, record, { now: FIXTURE_NOW });
    expect(built.sections.map((section) => [section.id, section.items.map((item) => item.text)])).toEqual(
      CONTRACT[role].map((id) => [id, ITEMS[id]]),
    );
  });

  it('social care sees no clinical section', () => {
    const clinical: SectionId[] = [
      'allergies-and-adverse-reactions',
      'problems-and-diagnoses',
      'medications-and-medical-devices',
      'encounters',
      'investigation-results',
    ];
    const ids = buildRoleView('social-care', record, { now: FIXTURE_NOW }).sections.map((s) => s.id);
    expect(ids.filter((id) => clinical.includes(id))).toEqual([]);
  });

  it('every item shows its source system, organisation and recorded date', () => {
    const built = buildRoleView('urgent-care', record, { now: FIXTURE_NOW });
    const encounters = built.sections.find((s) => s.id === 'encounters')!.items;
    expect(
      encounters.map(({ source, organisation, recorded }) => ({ source, organisation, recorded })),
    ).toEqual([
      { source: HOSPITAL_SOURCE, organisation: 'Leeds Teaching Hospitals', recorded: '18-Nov-2026' },
      { source: GP_SOURCE, organisation: 'Quayside Medical Practice', recorded: '02-Nov-2026' },
      { source: HOSPITAL_SOURCE, organisation: 'Leeds Teaching Hospitals', recorded: '14-Aug-2026' },
    ]);
    const allergy = built.sections[0].items[0];
    // no organisation on the allergy itself: the one managing the source's record of the person
    expect(allergy).toMatchObject({
      source: GP_SOURCE,
      organisation: 'Quayside Medical Practice',
      recorded: '02-Apr-2019',
    });
  });

  it('medications follow the urgent-care windows: acute 12 months, repeats 18, repeats stopped within 6', () => {
    const medications = buildRoleView('urgent-care', record, { now: FIXTURE_NOW }).sections[2].items;
    expect(medications.map((m) => [m.text, m.detail])).toEqual([
      ['Clarithromycin 500mg tablets', 'Acute'],
      ['Salbutamol 100micrograms/dose inhaler', 'Repeat; Two puffs when required'],
      ['Ramipril 5mg capsules', 'Repeat, stopped 2026-09-30'],
    ]);
  });

  it('leaves sensitive categories out by default and counts them', () => {
    const problems = buildRoleView('gp', record, { now: FIXTURE_NOW }).sections[0];
    expect(problems.hiddenSensitive).toBe(1);
    const shown = buildRoleView('gp', record, { now: FIXTURE_NOW, includeSensitive: true }).sections[0];
    expect(shown.items.map((i) => i.text)).toContain('HIV disease');
  });
});
