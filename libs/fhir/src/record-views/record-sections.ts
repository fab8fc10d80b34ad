import type {
  AllergyIntolerance,
  CarePlan,
  Condition,
  MedicationRequest,
  MedicationStatement,
  Resource,
} from 'fhir/r4';
import type { PersonRecord, RecordResources, RecordResourceType } from './person-record';
import { conceptText, itemOf, newestFirst, type RecordItem } from './record-item';
import { type SensitiveCategory, sensitiveCategoryOf } from './sensitive-categories';

/**
 * Section ids: headings of the PRSB Core Information Standard (v3), as kebab-case ids. A role view is a list of these
 * (role-views.ts); each is built by one pure function below from the person's record.
 */
export type SectionId =
  | 'allergies-and-adverse-reactions'
  | 'problems-and-diagnoses'
  | 'medications-and-medical-devices'
  | 'safety-alerts'
  | 'end-of-life-care'
  | 'plan-and-requested-actions'
  | 'professional-contacts'
  | 'encounters'
  | 'investigation-results'
  | 'procedures'
  | 'vaccinations'
  | 'social-context';

/** What a section says when it lists nothing, or why its list may be incomplete. */
export type SectionStatus = 'listed' | 'none-known' | 'not-recorded' | 'unavailable';

export interface RecordSection {
  id: SectionId;
  title: string;
  status: SectionStatus;
  /** The words shown for the status (empty for `listed`). */
  statusText: string;
  items: RecordItem[];
  /** Items left out because they fall in a sensitive category (shown only as a count). */
  hiddenSensitive: number;
}

export interface SectionOptions {
  now: Date;
  /** Show every sensitive category too (default: left out), each such item marked with its category. */
  includeSensitive?: boolean;
  /** Sensitive categories that are the viewer's own work, shown (marked) without asking. */
  ownSensitive?: readonly SensitiveCategory[];
}

const SNOMED = 'http://snomed.info/sct';
/** SNOMED CT situations recording that the person has no known allergy (UK Core "no known allergies" pattern). */
const NO_KNOWN_ALLERGY = new Set(['716186003', '409137002', '428607008', '429625007']);
/** SNOMED CT end-of-life care plan; ReSPECT forms are recognised by their name (a national form, not a code). */
const END_OF_LIFE_PLAN = new Set(['736373009']);
const MONTH_MS = 30.44 * 86_400_000;

type Picked = { resource: Resource; item: RecordItem }[];

interface SectionSpec {
  title: string;
  reads: RecordResourceType[];
  pick: (record: PersonRecord, now: Date) => Picked;
  /** Overrides the empty status (allergies tell "no known allergies" from "not recorded"). */
  whenEmpty?: (record: PersonRecord) => { status: SectionStatus; text: string; items?: Picked } | undefined;
  limit?: number;
}

function listOf<T extends RecordResourceType>(record: PersonRecord, type: T): RecordResources[T][] {
  const held = record.resources[type];
  return held === 'unavailable' || !held ? [] : held;
}

const code = (resource: { code?: { coding?: { system?: string; code?: string }[] } }) =>
  resource.code?.coding?.filter((c) => c.system === SNOMED).map((c) => c.code ?? '') ?? [];
const statusCode = (concept: { coding?: { code?: string }[] } | undefined) => concept?.coding?.[0]?.code;
const enteredInError = (resource: {
  verificationStatus?: { coding?: { code?: string }[] };
  status?: string;
}) =>
  statusCode(resource.verificationStatus) === 'entered-in-error' || resource.status === 'entered-in-error';
const monthsBefore = (date: string | undefined, now: Date) =>
  date ? (now.getTime() - new Date(date).getTime()) / MONTH_MS : Number.POSITIVE_INFINITY;

function pickEach<T extends RecordResourceType>(
  record: PersonRecord,
  type: T,
  keep: (resource: RecordResources[T]) => boolean,
  describe: (resource: RecordResources[T]) => Parameters<typeof itemOf>[2],
): Picked {
  return listOf(record, type)
    .filter((resource) => !enteredInError(resource as never) && keep(resource))
    .map((resource) => ({ resource, item: itemOf(resource, record, describe(resource)) }));
}

const isNoKnownAllergy = (allergy: AllergyIntolerance) => code(allergy).some((c) => NO_KNOWN_ALLERGY.has(c));
const allergyItem = (allergy: AllergyIntolerance) => ({
  text: conceptText(allergy.code),
  detail: [
    allergy.reaction
      ?.flatMap((r) => r.manifestation.map(conceptText))
      .filter(Boolean)
      .join(', '),
    allergy.criticality === 'high' ? 'high criticality' : undefined,
  ]
    .filter(Boolean)
    .join('; '),
  date: allergy.recordedDate ?? allergy.onsetDateTime,
});

/**
 * Current medications by the urgent-care rules: acute prescriptions issued within 12 months, repeats current and
 * issued within 18 months, and repeats stopped within the last 6 months (shown as stopped).
 */
function currentMedication(
  medication: MedicationRequest | MedicationStatement,
  now: Date,
): string | undefined {
  const repeat =
    medication.resourceType === 'MedicationRequest'
      ? ['continuous', 'seasonal'].includes(statusCode(medication.courseOfTherapyType) ?? '')
      : true; // a statement records ongoing use
  const issued =
    medication.resourceType === 'MedicationRequest'
      ? medication.authoredOn
      : (medication.effectivePeriod?.start ?? medication.effectiveDateTime ?? medication.dateAsserted);
  const stopped = ['stopped', 'completed', 'cancelled'].includes(medication.status);
  if (!repeat) return !stopped && monthsBefore(issued, now) <= 12 ? 'Acute' : undefined;
  if (!stopped) return monthsBefore(issued, now) <= 18 ? 'Repeat' : undefined;
  const end =
    medication.resourceType === 'MedicationRequest'
      ? (medication.dispenseRequest?.validityPeriod?.end ?? medication.meta?.lastUpdated)
      : (medication.effectivePeriod?.end ?? medication.meta?.lastUpdated);
  return monthsBefore(end, now) <= 6 ? `Repeat, stopped ${end?.slice(0, 10) ?? ''}`.trim() : undefined;
}

function medicationItems<T extends 'MedicationRequest' | 'MedicationStatement'>(
  record: PersonRecord,
  type: T,
  now: Date,
): Picked {
  return pickEach(
    record,
    type,
    (m) => currentMedication(m, now) !== undefined,
    (m) => {
      const medicine = m.medicationReference?.reference
        ? record.medicines?.get(m.medicationReference.reference)
        : undefined;
      const issued =
        m.resourceType === 'MedicationRequest' ? m.authoredOn : (m.effectivePeriod?.start ?? m.dateAsserted);
      return {
        text:
          conceptText(m.medicationCodeableConcept) ??
          conceptText(medicine?.code) ??
          m.medicationReference?.display,
        detail: [
          currentMedication(m, now),
          (m.resourceType === 'MedicationRequest' ? m.dosageInstruction : m.dosage)?.[0]?.text,
        ]
          .filter(Boolean)
          .join('; '),
        date: issued,
      };
    },
  );
}

const isEndOfLife = (plan: CarePlan) =>
  [...(plan.category ?? [])].some((c) =>
    c.coding?.some((coding) => END_OF_LIFE_PLAN.has(coding.code ?? '')),
  ) ||
  /\bReSPECT\b/.test(plan.title ?? '') ||
  (plan.category ?? []).some((c) => /\bReSPECT\b/.test(c.text ?? ''));
const activePlan = (plan: CarePlan) => plan.status === 'active' || plan.status === 'on-hold';
const planItem = (plan: CarePlan) => ({
  text: plan.title ?? conceptText(plan.category?.[0]),
  detail: plan.description,
  date: plan.created ?? plan.period?.start,
  organisation: plan.author,
});
const activeCondition = (condition: Condition) =>
  ['active', 'recurrence', 'relapse'].includes(statusCode(condition.clinicalStatus) ?? 'active') &&
  statusCode(condition.verificationStatus) !== 'refuted';
const observationCategory = (category: string) => (o: RecordResources['Observation']) =>
  (o.category ?? []).some((c) => c.coding?.some((coding) => coding.code === category));

/** Every section the portal can show, in the Core Information Standard's terms (specs as data). */
const SECTIONS: Record<SectionId, SectionSpec> = {
  'allergies-and-adverse-reactions': {
    title: 'Allergies and adverse reactions',
    reads: ['AllergyIntolerance'],
    pick: (record) =>
      pickEach(
        record,
        'AllergyIntolerance',
        (a) =>
          !isNoKnownAllergy(a) &&
          statusCode(a.clinicalStatus) !== 'resolved' &&
          statusCode(a.clinicalStatus) !== 'inactive',
        allergyItem,
      ),
    whenEmpty: (record) => {
      const noneKnown = pickEach(record, 'AllergyIntolerance', isNoKnownAllergy, allergyItem);
      return noneKnown.length
        ? { status: 'none-known', text: 'No known allergies', items: noneKnown }
        : { status: 'not-recorded', text: 'Allergies not recorded' };
    },
  },
  'problems-and-diagnoses': {
    title: 'Problems and diagnoses',
    reads: ['Condition'],
    pick: (record) =>
      pickEach(record, 'Condition', activeCondition, (c) => ({
        text: conceptText(c.code),
        detail: conceptText(c.severity),
        date: c.recordedDate ?? c.onsetDateTime,
        organisation: c.asserter?.reference?.startsWith('Organization/') ? c.asserter : undefined,
      })),
  },
  'medications-and-medical-devices': {
    title: 'Current medications',
    reads: ['MedicationRequest', 'MedicationStatement'],
    pick: (record, now) => [
      ...medicationItems(record, 'MedicationRequest', now),
      ...medicationItems(record, 'MedicationStatement', now),
    ],
  },
  'safety-alerts': {
    title: 'Alerts and safeguarding',
    reads: ['Flag'],
    pick: (record, now) =>
      pickEach(
        record,
        'Flag',
        (f) => f.status === 'active' && (!f.period?.end || new Date(f.period.end) >= now),
        (f) => ({
          text: conceptText(f.code),
          detail: conceptText(f.category?.[0]),
          date: f.period?.start,
          organisation: f.author,
        }),
      ),
  },
  'end-of-life-care': {
    title: 'End of life care and ReSPECT',
    reads: ['CarePlan'],
    pick: (record) => pickEach(record, 'CarePlan', (p) => activePlan(p) && isEndOfLife(p), planItem),
  },
  'plan-and-requested-actions': {
    title: 'Care plans',
    reads: ['CarePlan'],
    pick: (record) => pickEach(record, 'CarePlan', (p) => activePlan(p) && !isEndOfLife(p), planItem),
  },
  'professional-contacts': {
    title: 'Involved teams',
    reads: ['CareTeam'],
    pick: (record, now) =>
      pickEach(
        record,
        'CareTeam',
        (t) => t.status !== 'inactive' && (!t.period?.end || new Date(t.period.end) >= now),
        (t) => ({
          text: t.name ?? conceptText(t.category?.[0]),
          detail: t.participant
            ?.map((p) => [conceptText(p.role?.[0]), p.member?.display].filter(Boolean).join(': '))
            .filter(Boolean)
            .join('; '),
          date: t.period?.start,
          organisation: t.managingOrganization?.[0],
        }),
      ),
  },
  encounters: {
    title: 'Last three encounters',
    reads: ['Encounter'],
    limit: 3,
    pick: (record) =>
      pickEach(
        record,
        'Encounter',
        (e) => e.status !== 'cancelled',
        (e) => ({
          text: conceptText(e.type?.[0]) ?? e.class?.display ?? e.class?.code,
          detail: conceptText(e.reasonCode?.[0]),
          date: e.period?.start,
          organisation: e.serviceProvider,
        }),
      ),
  },
  'investigation-results': {
    title: 'Investigation results',
    reads: ['Observation'],
    limit: 10,
    pick: (record) =>
      pickEach(record, 'Observation', observationCategory('laboratory'), (o) => ({
        text: conceptText(o.code),
        detail: o.valueQuantity
          ? `${o.valueQuantity.value ?? ''} ${o.valueQuantity.unit ?? ''}`.trim()
          : (o.valueString ?? conceptText(o.valueCodeableConcept)),
        date: o.effectiveDateTime ?? o.issued,
      })),
  },
  procedures: {
    title: 'Procedures',
    reads: ['Procedure'],
    limit: 10,
    pick: (record) =>
      pickEach(
        record,
        'Procedure',
        (p) => p.status === 'completed',
        (p) => ({
          text: conceptText(p.code),
          date: p.performedDateTime ?? p.performedPeriod?.start,
        }),
      ),
  },
  vaccinations: {
    title: 'Vaccinations',
    reads: ['Immunization'],
    limit: 10,
    pick: (record) =>
      pickEach(
        record,
        'Immunization',
        (i) => i.status === 'completed',
        (i) => ({
          text: conceptText(i.vaccineCode),
          date: i.occurrenceDateTime,
        }),
      ),
  },
  'social-context': {
    title: 'Social context',
    reads: ['Observation'],
    pick: (record) =>
      pickEach(record, 'Observation', observationCategory('social-history'), (o) => ({
        text: conceptText(o.code),
        detail: o.valueString ?? conceptText(o.valueCodeableConcept),
        date: o.effectiveDateTime ?? o.issued,
      })),
  },
};

export const SECTION_IDS = Object.keys(SECTIONS) as SectionId[];

/** The resource types a set of sections reads (what the portal fetches for a view, and nothing more). */
export function resourceTypesFor(sections: readonly SectionId[]): RecordResourceType[] {
  return [...new Set(sections.flatMap((id) => SECTIONS[id].reads))];
}

export function sectionTitle(id: SectionId): string {
  return SECTIONS[id].title;
}

/** One section of a person's record: its items newest first, sensitive ones left out unless asked for. */
export function buildSection(id: SectionId, record: PersonRecord, options: SectionOptions): RecordSection {
  const spec = SECTIONS[id];
  const split = (picked: Picked) => {
    let hidden = 0;
    const items: RecordItem[] = [];
    for (const { resource, item } of picked) {
      const category = sensitiveCategoryOf(resource);
      if (!category) items.push(item);
      else if (options.includeSensitive || options.ownSensitive?.includes(category))
        items.push({ ...item, sensitive: category });
      else hidden += 1;
    }
    return { hidden, items: items.sort(newestFirst) };
  };
  const picked = split(spec.pick(record, options.now));
  const hiddenSensitive = picked.hidden;
  const items = picked.items.slice(0, spec.limit ?? Number.MAX_SAFE_INTEGER);
  const unavailable = spec.reads.some((type) => record.resources[type] === 'unavailable');
  const base = { id, title: spec.title, hiddenSensitive };
  if (unavailable)
    return { ...base, status: 'unavailable', statusText: 'Unavailable: a source could not be read', items };
  if (items.length) return { ...base, status: 'listed', statusText: '', items };
  const empty = spec.whenEmpty?.(record);
  if (empty)
    return { ...base, status: empty.status, statusText: empty.text, items: split(empty.items ?? []).items };
  return { ...base, status: 'not-recorded', statusText: 'None recorded', items: [] };
}
