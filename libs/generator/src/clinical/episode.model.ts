import type {
  AcuteCondition,
  AllergyRow,
  Analyte,
  CareSetting,
  ChronicCondition,
  CodeDisplay,
  LabTest,
  MedicineRow,
  ReactionRow,
  SettingKey,
} from '../data/code-tables';
import type { Clinician, SourceSystem } from '../community/community.model';

/** One measured value; `components` for panels recorded as one Observation (blood pressure). */
export interface Measurement {
  analyteKey: string;
  analyte: Analyte;
  value?: number;
  coded?: CodeDisplay;
  components?: Measurement[];
  at: Date;
}

export interface LabResult {
  testKey: string;
  test: LabTest;
  collected: Date;
  reported: Date;
  results: Measurement[];
}

export interface Diagnosis {
  condition: ChronicCondition | AcuteCondition;
  chronic: boolean;
  onset: Date;
  abatement?: Date;
  recorded: Date;
  category: 'problem-list-item' | 'encounter-diagnosis';
}

export interface MedicationIssue {
  key: string;
  row: MedicineRow;
  authored: Date;
  status: 'active' | 'completed';
  course: 'continuous' | 'acute';
  /** Recorded as "in use" (MedicationStatement) rather than prescribed here. */
  statement?: boolean;
}

export interface AllergyRecord {
  row: AllergyRow;
  reaction: ReactionRow;
  onset: Date;
}

export interface EncounterDetail {
  setting: SettingKey;
  care: CareSetting;
  type: CodeDisplay;
  telephone: boolean;
  specialty?: CodeDisplay;
  ward?: string;
  /** An inpatient stay that began in A&E: the ADT stream admits from the same attendance. */
  fromEmergency?: boolean;
  transferWard?: string;
  /** NHS Data Dictionary ADMISSION METHOD, for admissions (the UK Core AdmissionMethod extension). */
  admissionMethod?: CodeDisplay;
  /** NHS Data Dictionary TREATMENT FUNCTION CODE of the service seen (Encounter.serviceType). */
  treatmentFunction?: CodeDisplay;
  /** OPCS-4 procedures done, the primary first. */
  procedures?: Array<{ code: CodeDisplay; at: Date }>;
}

export interface AppointmentDetail {
  status: 'fulfilled' | 'noshow' | 'booked';
  start: Date;
  end: Date;
  created: Date;
  /** The care setting booked (a missed appointment has no encounter to say). */
  setting?: SettingKey;
}

/**
 * What happened at one source at one time: an encounter with what it recorded, or a record-only event (repeat
 * prescriptions issued, a vaccination, a missed appointment). Renderers turn it into FHIR resources or HL7 messages.
 */
export interface Episode {
  source: SourceSystem;
  start: Date;
  end: Date;
  clinician: Clinician;
  encounter?: EncounterDetail;
  appointment?: AppointmentDetail;
  diagnoses: Diagnosis[];
  measurements: Measurement[];
  labs: LabResult[];
  medications: MedicationIssue[];
  immunisations: Array<{ vaccineKey: string; at: Date }>;
  allergies: AllergyRecord[];
  carePlan?: { title: string; start: Date };
  /** The acute episode was registered under the person's temporary duplicate hospital number. */
  underDuplicate?: boolean;
}
