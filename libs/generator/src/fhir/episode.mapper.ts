import type {
  AllergyIntolerance,
  Appointment,
  CarePlan,
  CodeableConcept,
  Condition,
  DiagnosticReport,
  Encounter,
  Identifier,
  Immunization,
  MedicationRequest,
  MedicationStatement,
  Observation,
  ObservationReferenceRange,
  Procedure,
  Quantity,
  FhirResource,
  Reference,
} from 'fhir/r4';
import { CONTINUUM_URI_BASE, IdentifierSystem, localIdentifierSystem } from '@continuum/fhir';
import { codeTables, type SettingKey } from '../data/code-tables';
import { isoDate, isoDateTime } from '../clinical/dates';
import type { Diagnosis, Episode, LabResult, Measurement, MedicationIssue } from '../clinical/episode.model';
import type { SourceSystem } from '../community/community.model';
import type { Random } from '../random/random';

export const SNOMED = 'http://snomed.info/sct';
export const LOINC = 'http://loinc.org';
export const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const UCUM = 'http://unitsofmeasure.org';
const TERMINOLOGY = 'http://terminology.hl7.org/CodeSystem';

const COMMISSIONING = codeTables.commissioning;

/** The care setting as Continuum codes it (a second Encounter.type, Appointment.serviceCategory). */
const CARE_SETTING: Record<SettingKey, [string, string]> = {
  gp: ['gp', 'General practice'],
  outpatient: ['outpatient', 'Outpatient attendance'],
  emergency: ['emergency', 'Emergency care attendance'],
  inpatient: ['admitted-patient-care', 'Admitted patient care'],
  community: ['community', 'Community health services contact'],
  mentalHealth: ['mental-health', 'Mental health services contact'],
  ooh: ['out-of-hours', 'Out-of-hours primary care contact'],
  socialCare: ['social-care', 'Adult social care contact'],
};

function careSetting(setting: SettingKey): CodeableConcept {
  const [code, display] = CARE_SETTING[setting];
  return { coding: [{ system: COMMISSIONING.careSettingSystem, code, display }] };
}

const CLASS_DISPLAY: Record<string, string> = { AMB: 'ambulatory', EMER: 'emergency', IMP: 'inpatient encounter', HH: 'home health', VR: 'virtual' };

/** The code system of a source's local pathology test codes (labs report panels under local codes). */
export function labCodeSystem(source: SourceSystem): string {
  return `${CONTINUUM_URI_BASE}/CodeSystem/${source.odsCode.toLowerCase()}-pathology-tests`;
}

const identifierSystems = new Map<string, string>();

/** localIdentifierSystem, memoised: it runs for every resource and the (source, kind) pairs are few. */
function identifierSystem(sourceId: string, kind: string): string {
  const key = `${sourceId} ${kind}`;
  let system = identifierSystems.get(key);
  if (!system) {
    system = localIdentifierSystem(sourceId, kind);
    identifierSystems.set(key, system);
  }
  return system;
}

/** Where the patient's own identifiers and counters live while one person's episodes are mapped. */
export interface MappingContext {
  patientId: string;
  localId: string;
  ids: Random;
  /** Per source, for business identifiers `<localId>-<n>` that make re-sent messages idempotent. */
  nextSerial: () => number;
  /** The trust whose pathology lab reports GP tests. */
  lab: SourceSystem;
  /** Conditions that abated before this are resolved. */
  today: Date;
}

/** Maps one episode to the FHIR resources its source would hold, each with an id and relative references. */
export class EpisodeMapper {
  private readonly subject: Reference;
  private readonly sourceRef: Reference;

  constructor(
    private readonly episode: Episode,
    private readonly ctx: MappingContext,
  ) {
    this.subject = { reference: `Patient/${ctx.patientId}` };
    // the ODS code rides on the reference (as UK Core references carry it), so a view can read it without a join
    this.sourceRef = {
      reference: `Organization/${episode.source.organisationId}`,
      identifier: { system: IdentifierSystem.odsOrganisationCode, value: episode.source.odsCode },
    };
  }

  /** The source's site (its main site: a hospital, or a practice's surgery), by reference and ODS site code. */
  private siteRef(): Reference | undefined {
    const source = this.episode.source;
    if (!source.locationId || !source.siteCode) return undefined;
    return {
      reference: `Location/${source.locationId}`,
      identifier: { system: IdentifierSystem.odsSiteCode, value: source.siteCode },
    };
  }

  map(): FhirResource[] {
    const out: FhirResource[] = [];
    const e = this.episode;
    const appointment = e.appointment ? this.appointment() : undefined;
    if (appointment) out.push(appointment);
    const encounter = e.encounter ? this.encounter(appointment) : undefined;
    if (encounter) out.push(encounter);
    const encounterRef = encounter ? { reference: `Encounter/${encounter.id}` } : undefined;
    for (const p of e.encounter?.procedures ?? []) out.push(this.procedure(p, encounterRef));
    for (const d of e.diagnoses) out.push(this.condition(d, encounterRef));
    for (const a of e.allergies) out.push(this.allergy(a, encounterRef));
    for (const m of e.measurements) out.push(this.observation(m, encounterRef));
    for (const lab of e.labs) out.push(...this.labReport(lab, encounterRef));
    for (const m of e.medications) out.push(m.statement ? this.medicationStatement(m, encounterRef) : this.medicationRequest(m, encounterRef));
    for (const i of e.immunisations) out.push(this.immunisation(i.vaccineKey, i.at));
    if (e.carePlan) out.push(this.carePlan(encounterRef));
    return out;
  }

  private identifier(kind: string): Identifier[] {
    return [{ system: identifierSystem(this.episode.source.id, kind), value: `${this.ctx.localId}-${this.ctx.nextSerial()}` }];
  }

  private clinicianRef(): Reference {
    return { reference: `Practitioner/${this.episode.clinician.id}` };
  }

  private appointment(): Appointment {
    const a = this.episode.appointment!;
    const appointment: Appointment = {
      resourceType: 'Appointment',
      id: this.ctx.ids.uuid(),
      identifier: this.identifier('appointment'),
      status: a.status,
      appointmentType: {
        coding: [{ system: `${TERMINOLOGY}/v2-0276`, code: 'ROUTINE', display: 'Routine appointment - default if not valued' }],
      },
      start: isoDateTime(a.start),
      end: isoDateTime(a.end),
      minutesDuration: Math.max(1, Math.round((a.end.getTime() - a.start.getTime()) / 60_000)),
      created: isoDateTime(a.created),
      participant: [
        { actor: this.subject, status: 'accepted' },
        { actor: this.clinicianRef(), status: 'accepted' },
        ...(this.siteRef() ? [{ actor: this.siteRef(), status: 'accepted' as const }] : []),
      ],
    };
    const setting = a.setting ?? this.episode.encounter?.setting ?? (this.episode.source.kind === 'gp' ? 'gp' : undefined);
    if (setting) appointment.serviceCategory = [careSetting(setting)];
    return appointment;
  }

  private encounter(appointment: Appointment | undefined): Encounter {
    const e = this.episode;
    const detail = e.encounter!;
    const classCode = detail.telephone ? 'VR' : detail.care.class;
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: this.ctx.ids.uuid(),
      identifier: this.identifier('encounter'),
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: classCode, display: CLASS_DISPLAY[classCode] },
      type: [{ coding: [{ system: SNOMED, code: detail.type[0], display: detail.type[1] }] }, careSetting(detail.setting)],
      subject: this.subject,
      participant: [{ individual: this.clinicianRef() }],
      period: { start: isoDateTime(e.start), end: isoDateTime(e.end) },
      serviceProvider: this.sourceRef,
    };
    if (detail.admissionMethod) {
      const [code, display] = detail.admissionMethod;
      encounter.extension = [
        {
          url: COMMISSIONING.admissionMethodExtension,
          valueCodeableConcept: { coding: [{ system: COMMISSIONING.admissionMethodSystem, code, display }] },
        },
      ];
    }
    if (detail.treatmentFunction) {
      const [code, display] = detail.treatmentFunction;
      encounter.serviceType = { coding: [{ system: COMMISSIONING.treatmentFunctionSystem, code, display }] };
    }
    if (appointment) encounter.appointment = [{ reference: `Appointment/${appointment.id}` }];
    const reason = e.diagnoses[0];
    if (reason) {
      const coding = [{ system: SNOMED, code: reason.condition.snomed[0], display: reason.condition.snomed[1] }];
      // hospitals code the primary diagnosis in ICD-10 (as the condition itself is coded: see condition())
      if (e.source.kind === 'acute') coding.unshift({ system: ICD10, code: reason.condition.icd10[0], display: reason.condition.icd10[1] });
      encounter.reasonCode = [{ coding }];
    }
    const site = this.siteRef();
    if (site) encounter.location = [{ location: site }];
    return encounter;
  }

  private procedure(p: { code: [string, string]; at: Date }, encounter: Reference | undefined): Procedure {
    const procedure: Procedure = {
      resourceType: 'Procedure',
      id: this.ctx.ids.uuid(),
      identifier: this.identifier('procedure'),
      status: 'completed',
      code: { coding: [{ system: COMMISSIONING.opcs4System, code: p.code[0], display: p.code[1] }] },
      subject: this.subject,
      performedDateTime: isoDateTime(p.at),
      performer: [{ actor: this.clinicianRef(), onBehalfOf: this.sourceRef }],
    };
    if (encounter) procedure.encounter = encounter;
    return procedure;
  }

  private condition(d: Diagnosis, encounter: Reference | undefined): Condition {
    const resolved = d.abatement !== undefined && d.abatement <= this.ctx.today;
    const coding = [{ system: SNOMED, code: d.condition.snomed[0], display: d.condition.snomed[1] }];
    // Hospitals code diagnoses in ICD-10 (the DG1 segment); the SNOMED concept rides along.
    if (this.episode.source.kind === 'acute') coding.unshift({ system: ICD10, code: d.condition.icd10[0], display: d.condition.icd10[1] });
    const condition: Condition = {
      resourceType: 'Condition',
      id: this.ctx.ids.uuid(),
      identifier: this.identifier('condition'),
      clinicalStatus: { coding: [{ system: `${TERMINOLOGY}/condition-clinical`, code: resolved ? 'resolved' : 'active' }] },
      verificationStatus: { coding: [{ system: `${TERMINOLOGY}/condition-ver-status`, code: 'confirmed' }] },
      category: [{ coding: [{ system: `${TERMINOLOGY}/condition-category`, code: d.category }] }],
      code: { coding },
      subject: this.subject,
      onsetDateTime: isoDate(d.onset),
      recordedDate: isoDateTime(d.recorded),
      recorder: this.clinicianRef(),
    };
    if (encounter) condition.encounter = encounter;
    if (resolved && d.abatement) condition.abatementDateTime = isoDate(d.abatement);
    return condition;
  }

  private allergy(a: Episode['allergies'][number], encounter: Reference | undefined): AllergyIntolerance {
    const allergy: AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      id: this.ctx.ids.uuid(),
      identifier: this.identifier('allergy'),
      clinicalStatus: { coding: [{ system: `${TERMINOLOGY}/allergyintolerance-clinical`, code: 'active' }] },
      verificationStatus: { coding: [{ system: `${TERMINOLOGY}/allergyintolerance-verification`, code: 'confirmed' }] },
      type: 'allergy',
      category: [a.row.category],
      criticality: a.reaction.severity === 'severe' ? 'high' : 'low',
      code: { coding: [{ system: SNOMED, code: a.row.code, display: a.row.display }] },
      patient: this.subject,
      onsetDateTime: isoDate(a.onset),
      recordedDate: isoDateTime(this.episode.start),
      recorder: this.clinicianRef(),
      reaction: [
        {
          manifestation: [{ coding: [{ system: SNOMED, code: a.reaction.code, display: a.reaction.display }] }],
          severity: a.reaction.severity,
        },
      ],
    };
    if (encounter) allergy.encounter = encounter;
    return allergy;
  }

  private observation(m: Measurement, encounter: Reference | undefined, lab?: LabResult): Observation {
    const category = m.analyte.category ?? 'laboratory';
    const observation: Observation = {
      resourceType: 'Observation',
      id: this.ctx.ids.uuid(),
      identifier: this.identifier('observation'),
      status: 'final',
      category: [{ coding: [{ system: `${TERMINOLOGY}/observation-category`, code: category }] }],
      code: codeOf(m),
      subject: this.subject,
      effectiveDateTime: isoDateTime(m.at),
    };
    if (encounter) observation.encounter = encounter;
    if (lab) {
      observation.issued = `${isoDateTime(lab.reported).slice(0, 19)}.000Z`;
      observation.performer = [{ reference: `Organization/${this.ctx.lab.organisationId}` }];
    } else {
      observation.performer = [this.clinicianRef()];
    }
    if (m.components) {
      observation.component = m.components.map((c) => ({ code: codeOf(c), ...valueOf(c) }));
    } else if (m.coded) {
      observation.valueCodeableConcept = { coding: [{ system: SNOMED, code: m.coded[0], display: m.coded[1] }] };
    } else {
      Object.assign(observation, valueOf(m));
    }
    return observation;
  }

  private labReport(lab: LabResult, encounter: Reference | undefined): FhirResource[] {
    const results = lab.results.map((m) => this.observation(m, encounter, lab));
    const coding = [{ system: labCodeSystem(this.ctx.lab), code: lab.test.local, display: lab.test.display }];
    if (lab.test.loinc) coding.unshift({ system: LOINC, code: lab.test.loinc, display: lab.test.display });
    const report: DiagnosticReport = {
      resourceType: 'DiagnosticReport',
      id: this.ctx.ids.uuid(),
      identifier: this.identifier('diagnostic-report'),
      status: 'final',
      category: [{ coding: [{ system: `${TERMINOLOGY}/v2-0074`, code: 'LAB', display: 'Laboratory' }] }],
      code: { coding, text: lab.test.display },
      subject: this.subject,
      effectiveDateTime: isoDateTime(lab.collected),
      issued: `${isoDateTime(lab.reported).slice(0, 19)}.000Z`,
      performer: [{ reference: `Organization/${this.ctx.lab.organisationId}` }],
      result: results.map((o) => ({ reference: `Observation/${o.id}` })),
    };
    if (encounter) report.encounter = encounter;
    return [report, ...results];
  }

  private medicationRequest(m: MedicationIssue, encounter: Reference | undefined): MedicationRequest {
    const [code, display, dose, quantity, unit, days] = m.row;
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: this.ctx.ids.uuid(),
      identifier: this.identifier('medication-request'),
      status: m.status,
      intent: 'order',
      category: [{ coding: [{ system: `${TERMINOLOGY}/medicationrequest-category`, code: 'community', display: 'Community' }] }],
      medicationCodeableConcept: { coding: [{ system: codeTables.medicineSystem, code, display }] },
      subject: this.subject,
      authoredOn: isoDateTime(m.authored),
      requester: this.clinicianRef(),
      courseOfTherapyType: { coding: [{ system: `${TERMINOLOGY}/medicationrequest-course-of-therapy`, code: m.course }] },
      dosageInstruction: [{ text: dose }],
      dispenseRequest: {
        quantity: { value: quantity, unit },
        expectedSupplyDuration: { value: days, unit: 'days', system: UCUM, code: 'd' },
      },
    };
    if (encounter) request.encounter = encounter;
    return request;
  }

  private medicationStatement(m: MedicationIssue, encounter: Reference | undefined): MedicationStatement {
    const [code, display, dose] = m.row;
    const statement: MedicationStatement = {
      resourceType: 'MedicationStatement',
      id: this.ctx.ids.uuid(),
      identifier: this.identifier('medication-statement'),
      status: 'active',
      medicationCodeableConcept: { coding: [{ system: codeTables.medicineSystem, code, display }] },
      subject: this.subject,
      effectiveDateTime: isoDate(m.authored),
      dateAsserted: isoDateTime(m.authored),
      informationSource: this.clinicianRef(),
      dosage: [{ text: dose }],
    };
    if (encounter) statement.context = encounter;
    return statement;
  }

  private immunisation(vaccineKey: string, at: Date): Immunization {
    const [system, code, display] = codeTables.vaccines[vaccineKey];
    return {
      resourceType: 'Immunization',
      id: this.ctx.ids.uuid(),
      identifier: this.identifier('immunization'),
      status: 'completed',
      vaccineCode: { coding: [{ system, code, display }] },
      patient: this.subject,
      occurrenceDateTime: isoDateTime(at),
      recorded: isoDateTime(at),
      primarySource: true,
      lotNumber: `${vaccineKey.slice(0, 2).toUpperCase()}${this.ctx.ids.digits(6)}`,
      performer: [{ actor: this.clinicianRef() }],
    };
  }

  private carePlan(encounter: Reference | undefined): CarePlan {
    const plan = this.episode.carePlan!;
    const carePlan: CarePlan = {
      resourceType: 'CarePlan',
      id: this.ctx.ids.uuid(),
      identifier: this.identifier('care-plan'),
      status: 'active',
      intent: 'plan',
      category: [{ coding: [{ system: SNOMED, code: '734163000', display: 'Care plan' }] }],
      title: plan.title,
      subject: this.subject,
      period: { start: isoDate(plan.start) },
      author: this.clinicianRef(),
    };
    if (encounter) carePlan.encounter = encounter;
    return carePlan;
  }
}

function codeOf(m: Measurement): CodeableConcept {
  return { coding: [{ system: m.analyte.system === 'loinc' ? LOINC : SNOMED, code: m.analyte.code, display: m.analyte.display }], text: m.analyte.display };
}

function quantity(value: number, unit: string): Quantity {
  return { value, unit, system: UCUM, code: unit };
}

/** The value, reference range and H/L/N interpretation of a numeric measurement. */
function valueOf(m: Measurement): Pick<Observation, 'valueQuantity' | 'interpretation' | 'referenceRange'> {
  if (m.value === undefined) return {};
  const { low, high, unit } = m.analyte;
  const out: Pick<Observation, 'valueQuantity' | 'interpretation' | 'referenceRange'> = { valueQuantity: quantity(m.value, unit) };
  if (low === undefined || high === undefined) return out;
  const range: ObservationReferenceRange = { high: quantity(high, unit) };
  if (low > 0) range.low = quantity(low, unit);
  out.referenceRange = [range];
  const flag = m.value > high ? 'H' : low > 0 && m.value < low ? 'L' : 'N';
  const display = flag === 'H' ? 'High' : flag === 'L' ? 'Low' : 'Normal';
  out.interpretation = [{ coding: [{ system: `${TERMINOLOGY}/v3-ObservationInterpretation`, code: flag, display }] }];
  return out;
}
