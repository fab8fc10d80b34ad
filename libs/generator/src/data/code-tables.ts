/** Typed views over the JSON code tables in this folder: the data drives the generator, these types keep it honest. */
import allergiesJson from './allergies.json';
import conditionsJson from './conditions.json';
import immunisationsJson from './immunisations.json';
import medicinesJson from './medicines.json';
import namesJson from './names.json';
import observationsJson from './observations.json';
import placesJson from './places.json';
import settingsJson from './settings.json';

export type CodeDisplay = [code: string, display: string];
export type Sex = 'male' | 'female';
export type SourceKind = 'gp' | 'acute' | 'community' | 'ooh' | 'social';
export type SettingKey = 'gp' | 'outpatient' | 'emergency' | 'inpatient' | 'community' | 'mentalHealth' | 'ooh' | 'socialCare';
export type AcuteSetting = 'gp' | 'ooh' | 'ae' | 'admission';

export interface ChronicCondition {
  key: string;
  snomed: CodeDisplay;
  icd10: CodeDisplay;
  prevalence: number;
  minAge: number;
  peakAge: number;
  sex?: Sex;
  reviewsPerYear: number;
  /** Test or vital-set keys checked at each review. */
  monitoring: string[];
  /** Each group is one line of treatment; one medicine is chosen per group. */
  medicines: string[][];
  /** Shift of an analyte's mean, in standard deviations. */
  effects: Record<string, number>;
  extraGpPerYear?: number;
  extraOutpatientPerYear?: number;
  extraOohPerYear?: number;
  aePerYear?: number;
  admissionPerYear?: number;
  communityPerYear?: number;
  socialCarePerYear?: number;
  mentalHealthPerYear?: number;
}

export interface AcuteCondition {
  key: string;
  snomed: CodeDisplay;
  icd10: CodeDisplay;
  weight: number;
  minAge?: number;
  maxAge?: number;
  fromYear?: number;
  settings: Partial<Record<AcuteSetting, number>>;
  medicines: string[];
  resolveDays: number;
}

/** [code, display, dose text, quantity, unit, supply days] */
export type MedicineRow = [string, string, string, number, string, number];

export interface Analyte {
  system: 'loinc' | 'snomed';
  code: string;
  display: string;
  unit: string;
  low?: number;
  high?: number;
  mean?: number;
  sd?: number;
  dp: number;
  femaleShift?: number;
  category?: 'vital-signs' | 'exam' | 'survey';
  min?: number;
  max?: number;
}

export interface LabTest {
  local: string;
  display: string;
  loinc?: string;
  analytes: string[];
}

export interface CareSetting {
  source: SourceKind;
  class: 'AMB' | 'EMER' | 'IMP' | 'HH';
  type: CodeDisplay;
  reviewType?: CodeDisplay;
  ageRates: Array<[age: number, perYear: number]>;
  minutes?: [number, number];
  losDays?: [number, number];
  appointment?: number;
  dna?: number;
  acute?: number;
  admit?: number;
  vitals?: string;
  vitalsChance?: number;
  tests?: string[];
  testsChance?: number;
  dailyTests?: string[];
  dailyTestsChance?: number;
  telephone?: number;
  carePlan?: number;
}

export interface AllergyRow {
  code: string;
  display: string;
  category: 'medication' | 'food' | 'environment';
  al1Type: 'DA' | 'FA' | 'EA';
  weight: number;
}

export interface ReactionRow {
  code: string;
  display: string;
  severity: 'mild' | 'moderate' | 'severe';
  weight: number;
}

export interface VaccineProgramme {
  vaccine: string;
  everyYear?: boolean;
  once?: boolean;
  month?: number;
  minAge: number;
  maxAge?: number;
  chronic?: boolean;
  fromYear?: number;
  toYear?: number;
  uptake: number;
}

/** What commissioning datasets read from activity (settings.json `commissioning`). */
export interface CommissioningTables {
  careSettingSystem: string;
  treatmentFunctionSystem: string;
  admissionMethodExtension: string;
  admissionMethodSystem: string;
  opcs4System: string;
  electiveAdmissionMethods: Array<[code: string, display: string, weight: number]>;
  directEmergencyAdmissionMethods: Array<[code: string, display: string, weight: number]>;
  emergencyDepartmentAdmissionMethod: CodeDisplay;
  electiveShare: number;
  treatmentFunctions: Record<'emergency' | 'community' | 'mentalHealthChild' | 'mentalHealthAdult' | 'mentalHealthOlder', CodeDisplay>;
  /** OPCS-4 procedures by the treatment function that does them. */
  procedures: Record<string, CodeDisplay[]>;
  inpatientProcedureChance: number;
  outpatientProcedureChance: number;
}

export interface Town {
  name: string;
  districts: string[];
  weight: number;
}

export const codeTables = {
  chronic: conditionsJson.chronic as ChronicCondition[],
  acute: conditionsJson.acute as AcuteCondition[],
  medicineSystem: medicinesJson.system,
  medicines: medicinesJson.medicines as unknown as Record<string, MedicineRow>,
  analytes: observationsJson.analytes as Record<string, Analyte>,
  tests: observationsJson.tests as Record<string, LabTest>,
  vitalSets: observationsJson.vitalSets as Record<string, string[]>,
  smoking: observationsJson.smoking as Array<{ value: CodeDisplay; weight: number }>,
  settings: settingsJson.settings as Record<SettingKey, CareSetting>,
  telephoneType: settingsJson.telephoneType as CodeDisplay,
  specialties: settingsJson.specialties as CodeDisplay[],
  commissioning: settingsJson.commissioning as unknown as CommissioningTables,
  wards: settingsJson.wards,
  repeatIssueDays: settingsJson.repeatIssueDays,
  historyYears: settingsJson.historyYears,
  noiseShare: settingsJson.noiseShare,
  allergyPrevalence: allergiesJson.prevalence,
  allergies: allergiesJson.allergies as AllergyRow[],
  reactions: allergiesJson.reactions as ReactionRow[],
  vaccines: immunisationsJson.vaccines as unknown as Record<string, [system: string, code: string, display: string]>,
  programmes: immunisationsJson.programmes as VaccineProgramme[],
  names: namesJson,
  county: placesJson.county,
  towns: placesJson.towns as Town[],
  streets: placesJson.streets,
} as const;

/** Linear interpolation over [age, value] points, flat beyond the ends. */
export function interpolateByAge(points: ReadonlyArray<readonly [number, number]>, age: number): number {
  if (age <= points[0][0]) return points[0][1];
  for (let i = 1; i < points.length; i++) {
    const [a1, v1] = points[i];
    if (age <= a1) {
      const [a0, v0] = points[i - 1];
      return v0 + ((v1 - v0) * (age - a0)) / (a1 - a0);
    }
  }
  return points[points.length - 1][1];
}
