import type {
  AllergyIntolerance,
  CarePlan,
  CareTeam,
  Condition,
  Encounter,
  EpisodeOfCare,
  Flag,
  Immunization,
  Medication,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Organization,
  Patient,
  Procedure,
} from 'fhir/r4';

/** The resource types a role view reads, and the shape each is held in once fetched. */
export interface RecordResources {
  AllergyIntolerance: AllergyIntolerance;
  Condition: Condition;
  MedicationStatement: MedicationStatement;
  MedicationRequest: MedicationRequest;
  Flag: Flag;
  CarePlan: CarePlan;
  CareTeam: CareTeam;
  Encounter: Encounter;
  EpisodeOfCare: EpisodeOfCare;
  Observation: Observation;
  Procedure: Procedure;
  Immunization: Immunization;
}
export type RecordResourceType = keyof RecordResources;

/**
 * One person's record as the portal fetched it through the door: every Patient record of the person (one per
 * source) and, per resource type, what could be read, or `unavailable` when the read failed (a section built on it
 * then says so rather than "none recorded").
 */
export interface PersonRecord {
  patients: Patient[];
  resources: { [T in RecordResourceType]?: RecordResources[T][] | 'unavailable' };
  /** Organisations the items reference (serviceProvider, managingOrganization, author …), by `Organization/id`. */
  organisations?: Map<string, Organization>;
  /** Medications referenced by statements and requests, by `Medication/id`. */
  medicines?: Map<string, Medication>;
}
