import type { Condition, Flag, FhirResource } from 'fhir/r4';
import { buildRoleView, PORTAL_ROLES, ROLE_VIEWS } from './role-views';
import { FIXTURE_NOW, fixturePerson, GP_SOURCE } from './testing/fixture-person';
import { personRecordOf } from './testing/person-record-of';

/**
 * The contract of sensitive information in the role views: withheld by default and counted (never described); shown
 * on request, each item marked with its category, only to roles that may ask; a role's own category shown unasked.
 */
describe('sensitive information is withheld, counted and shown on request', () => {
  const person = fixturePerson({ prefix: 'sens', nhsNumber: '9434765919' });
  const gp = person.patients.find((patient) => patient.meta?.source === GP_SOURCE)!;
  const labelled = (code: string) => ({
    source: GP_SOURCE,
    security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code }],
  });
  const psychosis: Condition = {
    resourceType: 'Condition',
    id: 'sens-psy',
    meta: labelled('PSY'),
    clinicalStatus: { coding: [{ code: 'active' }] },
    code: { text: 'Schizoaffective disorder' },
    subject: { reference: `Patient/${gp.id}` },
    recordedDate: '2024-01-10',
  };
  const sexualHealthFlag: Flag = {
    resourceType: 'Flag',
    id: 'sens-flag',
    meta: labelled('SEX'),
    status: 'active',
    code: { text: 'Under the care of the sexual health clinic' },
    subject: { reference: `Patient/${gp.id}` },
    period: { start: '2026-01-05' },
  };
  const record = personRecordOf(person.patients, [
    ...person.resources,
    psychosis,
    sexualHealthFlag,
  ] as FhirResource[]);
  const hiv = person.resources.find(
    (resource) => resource.resourceType === 'Condition' && resource.code?.text === 'HIV disease',
  )!;
  const texts = (built: ReturnType<typeof buildRoleView>) =>
    built.sections.flatMap((section) => section.items.map((item) => item.text));

  it('by default every role withholds them and says how many, without saying what', () => {
    // the GP view: HIV and the psychosis in problems, the sexual health flag in alerts
    const built = buildRoleView('gp', record, { now: FIXTURE_NOW });
    expect(built.sensitive).toEqual({ withheld: 3, offered: true, revealed: [] });
    expect(built.sections.find((s) => s.id === 'problems-and-diagnoses')!.hiddenSensitive).toBe(2);
    expect(built.sections.find((s) => s.id === 'safety-alerts')!.hiddenSensitive).toBe(1);
    expect(texts(built)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/HIV|Schizoaffective|sexual health/)]),
    );
  });

  it('on request the withheld items are shown, each marked with its category, and listed for the audit', () => {
    const built = buildRoleView('gp', record, { now: FIXTURE_NOW, includeSensitive: true });
    expect(built.sensitive.withheld).toBe(0);
    expect(built.sensitive.offered).toBe(false);
    expect(built.sensitive.revealed).toEqual(
      expect.arrayContaining([
        { ref: `Condition/${hiv.id}`, category: 'hiv' },
        { ref: 'Condition/sens-psy', category: 'mental-health' },
        { ref: 'Flag/sens-flag', category: 'sensitivity-label' },
      ]),
    );
    expect(built.sensitive.revealed).toHaveLength(3);
    const problems = built.sections.find((s) => s.id === 'problems-and-diagnoses')!.items;
    expect(problems.find((item) => item.text === 'HIV disease')).toMatchObject({ sensitive: 'hiv' });
    expect(problems.find((item) => item.text === 'Asthma')?.sensitive).toBeUndefined();
  });

  it('social care is never offered them, and asking changes nothing', () => {
    expect(ROLE_VIEWS['social-care'].sensitiveOnRequest).toBe(false);
    const asked = buildRoleView('social-care', record, { now: FIXTURE_NOW, includeSensitive: true });
    expect(asked.sensitive).toEqual({ withheld: 1, offered: false, revealed: [] });
    expect(texts(asked)).not.toContain('Under the care of the sexual health clinic');
  });

  it('every other role may ask', () => {
    expect(PORTAL_ROLES.filter((role) => ROLE_VIEWS[role].sensitiveOnRequest)).toEqual(
      PORTAL_ROLES.filter((role) => role !== 'social-care'),
    );
  });

  it("the mental health view shows its own category unasked (marked, not counted as revealed), the rest withheld", () => {
    const built = buildRoleView('mental-health', record, { now: FIXTURE_NOW });
    const problems = built.sections.find((s) => s.id === 'problems-and-diagnoses')!;
    expect(problems.items.find((item) => item.text === 'Schizoaffective disorder')).toMatchObject({
      sensitive: 'mental-health',
    });
    expect(built.sensitive).toEqual({ withheld: 2, offered: true, revealed: [] });
  });
});
