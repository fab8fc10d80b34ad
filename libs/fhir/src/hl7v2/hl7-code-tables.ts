import type { AllergyIntolerance, DiagnosticReport, Encounter, Observation, Patient } from 'fhir/r4';

/** HL7 v2 tables and their FHIR R4 counterparts, as data. Keys are upper case. */

/** Coding system names seen in CE/CWE component 3 (HL7 table 0396 and what NHS feeds actually send). */
export const CODING_SYSTEMS: Record<string, string> = {
  SCT: 'http://snomed.info/sct',
  SNM: 'http://snomed.info/sct', // NHS feeds use the older "SNM" name for SNOMED CT codes
  SNOMED: 'http://snomed.info/sct',
  SNOMEDCT: 'http://snomed.info/sct',
  'SNOMED-CT': 'http://snomed.info/sct',
  I10: 'http://hl7.org/fhir/sid/icd-10',
  ICD10: 'http://hl7.org/fhir/sid/icd-10',
  'ICD-10': 'http://hl7.org/fhir/sid/icd-10',
  I9C: 'http://hl7.org/fhir/sid/icd-9-cm',
  LN: 'http://loinc.org',
  LOINC: 'http://loinc.org',
  RD2: 'http://read.info/readv2',
  READ: 'http://read.info/readv2',
  READ2: 'http://read.info/readv2',
  CTV3: 'http://read.info/ctv3',
  RD3: 'http://read.info/ctv3',
  UCUM: 'http://unitsofmeasure.org',
  DMD: 'https://dmd.nhs.uk',
};

/** PID-8 / NK1-15: HL7 table 0001 and the NHS Data Dictionary person gender codes the ITK samples carry (1, 2, 9, 0). */
export const ADMINISTRATIVE_SEX: Record<string, NonNullable<Patient['gender']>> = {
  M: 'male',
  F: 'female',
  O: 'other',
  A: 'other',
  U: 'unknown',
  N: 'unknown',
  '1': 'male',
  '2': 'female',
  '9': 'other', // "indeterminate / not specified": the person's gender is neither male nor female
  '0': 'unknown',
  X: 'unknown',
};

const UK_CORE_CS = 'https://fhir.hl7.org.uk/CodeSystem';

/** PID-16: NHS feeds send the NHS Data Dictionary person marital status codes (UK Core, England). */
export const MARITAL_STATUS_SYSTEM = `${UK_CORE_CS}/UKCore-PersonMaritalStatusEngland`;
export const MARITAL_STATUS: Record<string, string> = {
  S: 'Single',
  M: 'Married/Civil Partner',
  D: 'Divorced/Person whose Civil Partnership has been dissolved',
  W: 'Widowed/Surviving Civil Partner',
  P: 'Separated',
  N: 'Not disclosed',
  '8': 'Not applicable',
  '9': 'Not known',
};

/** PID-22: NHS Data Dictionary ethnic category (UK Core, England). */
export const ETHNIC_CATEGORY_SYSTEM = `${UK_CORE_CS}/UKCore-EthnicCategoryEngland`;
export const ETHNIC_CATEGORY: Record<string, string> = {
  A: 'White - British',
  B: 'White - Irish',
  C: 'White - Any other White background',
  D: 'Mixed - White and Black Caribbean',
  E: 'Mixed - White and Black African',
  F: 'Mixed - White and Asian',
  G: 'Mixed - Any other mixed background',
  H: 'Asian or Asian British - Indian',
  J: 'Asian or Asian British - Pakistani',
  K: 'Asian or Asian British - Bangladeshi',
  L: 'Asian or Asian British - Any other Asian background',
  M: 'Black or Black British - Caribbean',
  N: 'Black or Black British - African',
  P: 'Black or Black British - Any other Black background',
  R: 'Other Ethnic Groups - Chinese',
  S: 'Other Ethnic Groups - Any other ethnic group',
  Z: 'Not stated',
  '99': 'Not known',
};

/** PV1-4: NHS feeds send the NHS Data Dictionary admission method (UK Core, England; the ITK ADT samples do). */
export const ADMISSION_METHOD_EXTENSION =
  'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-AdmissionMethod';
export const ADMISSION_METHOD_SYSTEM = `${UK_CORE_CS}/UKCore-AdmissionMethodEngland`;
export const ADMISSION_METHOD: Record<string, string> = {
  '11': 'Elective Admission: Waiting list',
  '12': 'Elective Admission: Booked',
  '13': 'Elective Admission: Planned',
  '21': 'Emergency Admission: Emergency Care Department or dental casualty department of the Health Care Provider',
  '22': 'Emergency Admission: General Practitioner: after a request for immediate admission has been made direct to a Hospital Provider, i.e. not through a Bed bureau, by a General Practitioner or deputy',
  '23': 'Emergency Admission: Bed bureau',
  '24': 'Emergency Admission: Consultant Clinic, of this or another Health Care Provider',
  '25': 'Emergency Admission: Admission via Mental Health Crisis Resolution Team',
  '2A': 'Emergency Admission: Emergency Care Department of another provider where the Patient had not been admitted',
  '2B': 'Emergency Admission: Transfer of an admitted Patient from another Hospital Provider in an emergency',
  '2C': 'Emergency Admission: Baby born at home as intended',
  '2D': 'Emergency Admission: Other emergency admission',
  '28': 'Emergency Admission: Other means, examples are: - admitted from the Emergency Care Department of another provider where they had not been admitted - transfer of an admitted Patient from another Hospital Provider in an emergency - baby born at home as intended',
  '31': 'Maternity Admission: Admitted ante partum',
  '32': 'Maternity Admission: Admitted post partum',
  '82': 'Other Admission: The birth of a baby in this Health Care Provider',
  '83': 'Other Admission: Baby born outside the Health Care Provider except when born at home as intended',
  '81': 'Other Admission: Transfer of any admitted Patient from other Hospital Provider other than in an emergency',
  '98': 'Not applicable',
  '99': 'Admission Method not known',
};

/** PID-32 (NHS table 0445 NSTSnn) to the NHS number verification status (UK Core, England). */
export const NHS_NUMBER_STATUS_SYSTEM = `${UK_CORE_CS}/UKCore-NHSNumberVerificationStatusEngland`;
export const NHS_NUMBER_STATUS: Record<string, string> = {
  '01': 'Number present and verified',
  '02': 'Number present but not traced',
  '03': 'Trace required',
  '04': 'Trace attempted - No match or multiple match found',
  '05': 'Trace needs to be resolved - (NHS number or patient detail conflict)',
  '06': 'Trace in progress',
  '07': 'Number not present and trace not required',
  '08': 'Trace postponed (baby under six weeks old)',
};

export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** PV1-2 patient class (HL7 table 0004) to the v3 ActCode encounter class. */
export const PATIENT_CLASS: Record<string, { code: string; display: string }> = {
  I: { code: 'IMP', display: 'inpatient encounter' },
  O: { code: 'AMB', display: 'ambulatory' },
  E: { code: 'EMER', display: 'emergency' },
  P: { code: 'PRENC', display: 'pre-admission' },
  R: { code: 'AMB', display: 'ambulatory' }, // recurring patient
  B: { code: 'IMP', display: 'inpatient encounter' }, // obstetrics
  C: { code: 'AMB', display: 'ambulatory' }, // commercial account
};

/** PV1-7/8/9/17 to Encounter.participant.type (v3 ParticipationType). */
export const PARTICIPANT_FIELDS: { field: number; code: string; display: string }[] = [
  { field: 7, code: 'ATND', display: 'attender' },
  { field: 8, code: 'REF', display: 'referrer' },
  { field: 9, code: 'CON', display: 'consultant' },
  { field: 17, code: 'ADM', display: 'admitter' },
];

/** AL1-2 allergen type (HL7 table 0127). */
export const ALLERGEN_TYPE: Record<
  string,
  { category?: NonNullable<AllergyIntolerance['category']>[number]; type?: AllergyIntolerance['type'] }
> = {
  DA: { category: 'medication', type: 'allergy' },
  FA: { category: 'food', type: 'allergy' },
  MA: { type: 'allergy' },
  MC: {},
  EA: { category: 'environment', type: 'allergy' },
  AA: { category: 'environment', type: 'allergy' },
  PA: { category: 'environment', type: 'allergy' },
  LA: { category: 'environment', type: 'allergy' },
};

/** AL1-4 allergy severity (HL7 table 0128). */
export const ALLERGY_SEVERITY: Record<string, 'mild' | 'moderate' | 'severe'> = {
  MI: 'mild',
  MO: 'moderate',
  SV: 'severe',
};

/** DG1-6 diagnosis type (HL7 table 0052) to Condition.verificationStatus. */
export const DIAGNOSIS_TYPE_VERIFICATION: Record<string, 'provisional' | 'confirmed'> = {
  A: 'provisional', // admitting
  W: 'provisional', // working
  F: 'confirmed', // final
};

/** OBR-25 result status (HL7 table 0123). */
export const REPORT_STATUS: Record<string, DiagnosticReport['status']> = {
  O: 'registered',
  I: 'registered',
  S: 'registered',
  A: 'partial',
  P: 'preliminary',
  R: 'preliminary',
  N: 'preliminary',
  C: 'corrected',
  M: 'amended',
  F: 'final',
  X: 'cancelled',
};

/** OBX-11 observation result status (HL7 table 0085). */
export const OBSERVATION_STATUS: Record<string, Observation['status']> = {
  C: 'corrected',
  D: 'entered-in-error',
  F: 'final',
  I: 'registered',
  P: 'preliminary',
  R: 'preliminary',
  S: 'preliminary',
  U: 'final',
  W: 'entered-in-error',
  X: 'cancelled',
};

/** OBX-8 abnormal flags (HL7 table 0078) share their codes with v3 ObservationInterpretation. */
export const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
export const INTERPRETATION: Record<string, string> = {
  L: 'Low',
  H: 'High',
  LL: 'Critical low',
  HH: 'Critical high',
  '<': 'Off scale low',
  '>': 'Off scale high',
  N: 'Normal',
  A: 'Abnormal',
  AA: 'Critical abnormal',
  U: 'Significant change up',
  D: 'Significant change down',
  B: 'Better',
  W: 'Worse',
  S: 'Susceptible',
  R: 'Resistant',
  I: 'Intermediate',
  MS: 'moderately susceptible',
  VS: 'very susceptible',
  NEG: 'Negative',
  POS: 'Positive',
  IND: 'Indeterminate',
  DET: 'Detected',
  ND: 'Not detected',
};

/** Encounter status each ADT event implies; undefined: derive it from the admit and discharge dates in PV1. */
export const ENCOUNTER_STATUS_BY_EVENT: Record<string, Encounter['status'] | undefined> = {
  A01: 'in-progress',
  A02: 'in-progress',
  A03: 'finished',
  A04: 'in-progress',
  A05: 'planned',
  A08: undefined,
  A11: 'entered-in-error', // the admission or visit should not have been recorded
  A13: 'in-progress',
};

/** Units as labs write them, to UCUM. Units already valid UCUM map to themselves. */
export const UCUM_UNITS: Record<string, string> = {
  'x10^9/L': '10*9/L',
  'x10*9/L': '10*9/L',
  '10^9/L': '10*9/L',
  'x10^12/L': '10*12/L',
  'x10*12/L': '10*12/L',
  '10^12/L': '10*12/L',
  'mmol/L': 'mmol/L',
  'mmol/l': 'mmol/L',
  'mmol/mol': 'mmol/mol',
  'umol/L': 'umol/L',
  'µmol/L': 'umol/L',
  'nmol/L': 'nmol/L',
  'pmol/L': 'pmol/L',
  'g/L': 'g/L',
  'g/l': 'g/L',
  'g/dL': 'g/dL',
  'mg/L': 'mg/L',
  'mg/dL': 'mg/dL',
  'mg/mmol': 'mg/mmol',
  'ng/L': 'ng/L',
  'ng/mL': 'ng/mL',
  'ug/L': 'ug/L',
  'U/L': 'U/L',
  'IU/L': '[IU]/L',
  'iu/L': '[IU]/L',
  'mU/L': 'mU/L',
  'mIU/L': 'm[IU]/L',
  'L/L': 'L/L',
  fL: 'fL',
  pg: 'pg',
  '%': '%',
  kg: 'kg',
  g: 'g',
  cm: 'cm',
  m: 'm',
  'kg/m2': 'kg/m2',
  mmHg: 'mm[Hg]',
  'mm[Hg]': 'mm[Hg]',
  bpm: '/min',
  '/min': '/min',
  'mL/min/1.73m2': 'mL/min/{1.73_m2}',
  s: 's',
  sec: 's',
  mL: 'mL',
  L: 'L',
  Cel: 'Cel',
  '°C': 'Cel',
  degC: 'Cel',
};

/** OBX-5 ED data subtypes to MIME types (when the sender does not write the MIME type itself). */
export const ED_SUBTYPE_MIME: Record<string, string> = {
  PDF: 'application/pdf',
  RTF: 'application/rtf',
  HTML: 'text/html',
  XML: 'application/xml',
  TEXT: 'text/plain',
  JPEG: 'image/jpeg',
  JPG: 'image/jpeg',
  PNG: 'image/png',
  TIFF: 'image/tiff',
  GIF: 'image/gif',
};
