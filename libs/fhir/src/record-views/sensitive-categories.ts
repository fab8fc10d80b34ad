import type { Coding, Resource } from 'fhir/r4';

/**
 * Categories of information withheld from a shared view unless asked for, and how each is recognised. Sources:
 * - HL7 v3 ActCode `_InformationSensitivityPolicy` (terminology.hl7.org): the security labels a source system puts in
 *   `meta.security` (HIV, STD, SEX, SDV, PSY, ETH …);
 * - ICD-10 (WHO, 5th edition) chapter blocks: A50–A64 sexually transmitted infections, B20–B24 HIV disease, Z21
 *   asymptomatic HIV, F64 gender identity disorders, N97 female infertility, Z31 procreative management (IVF), O04
 *   medical abortion;
 * - SNOMED CT (UK edition) concepts for the same: the ones listed below;
 * - the legal bases for withholding them: Gender Recognition Act 2004 s22, NHS (Venereal Diseases) Regulations 1974,
 *   Human Fertilisation and Embryology Act 1990 s33A, Abortion Regulations 1991.
 * docs/portal.md lists the categories; extending a list is a data change here, with its source.
 */
export type SensitiveCategory =
  | 'sexual-health'
  | 'hiv'
  | 'gender-identity'
  | 'assisted-conception'
  | 'termination-of-pregnancy'
  | 'mental-health'
  | 'sensitivity-label';

/** What each category is called on a page (an item shown on request is marked with it). */
export const SENSITIVE_CATEGORY_NAMES: Record<SensitiveCategory, string> = {
  'sexual-health': 'Sexual health',
  hiv: 'HIV',
  'gender-identity': 'Gender identity',
  'assisted-conception': 'Assisted conception',
  'termination-of-pregnancy': 'Termination of pregnancy',
  'mental-health': 'Mental health',
  'sensitivity-label': 'Marked sensitive by its source',
};

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const SNOMED = 'http://snomed.info/sct';

/** v3 sensitivity policy labels that mark a whole resource as sensitive, whatever its codes. */
const SENSITIVITY_LABELS = new Set(['HIV', 'STD', 'SEX', 'SDV', 'PSY', 'ETH', 'SUD', 'GDIS', 'TBOO']);
/** Labels with a category of their own: a mental health view shows PSY-labelled items as its own work. */
const LABEL_CATEGORIES: Record<string, SensitiveCategory> = { PSY: 'mental-health' };

const ICD10_PREFIXES: [string, SensitiveCategory][] = [
  ...['A50', 'A51', 'A52', 'A53', 'A54', 'A55', 'A56', 'A57', 'A58', 'A59', 'A60', 'A63', 'A64'].map(
    (code): [string, SensitiveCategory] => [code, 'sexual-health'],
  ),
  ...['B20', 'B21', 'B22', 'B23', 'B24', 'Z21'].map((code): [string, SensitiveCategory] => [code, 'hiv']),
  ['F64', 'gender-identity'],
  ['N97', 'assisted-conception'],
  ['Z31', 'assisted-conception'],
  ['O04', 'termination-of-pregnancy'],
];

const SNOMED_CODES = new Map<string, SensitiveCategory>([
  ['8098009', 'sexual-health'], // Sexually transmitted infectious disease
  ['15628003', 'sexual-health'], // Gonorrhoea
  ['76272004', 'sexual-health'], // Syphilis
  ['105629000', 'sexual-health'], // Chlamydial infection
  ['86406008', 'hiv'], // Human immunodeficiency virus infection
  ['165816005', 'hiv'], // Human immunodeficiency virus positive
  ['93461009', 'gender-identity'], // Gender dysphoria
  ['52637005', 'assisted-conception'], // In vitro fertilisation
  ['8445003', 'termination-of-pregnancy'], // Termination of pregnancy
]);

/** The codings that say what a resource is about (its code, or for medications the drug). */
function codingsOf(resource: Resource): Coding[] {
  const any = resource as {
    code?: { coding?: Coding[] };
    medicationCodeableConcept?: { coding?: Coding[] };
    reasonCode?: { coding?: Coding[] }[];
    category?: { coding?: Coding[] }[];
  };
  return [
    ...(any.code?.coding ?? []),
    ...(any.medicationCodeableConcept?.coding ?? []),
    ...(any.reasonCode ?? []).flatMap((reason) => reason.coding ?? []),
  ];
}

/** The sensitive category a resource falls in, or undefined: by its security labels first, then by its codes. */
export function sensitiveCategoryOf(resource: Resource): SensitiveCategory | undefined {
  const labels = (resource.meta?.security ?? [])
    .filter((label) => label.system === ACT_CODE && SENSITIVITY_LABELS.has(label.code ?? ''))
    .map((label) => label.code ?? '');
  if (labels.length)
    // a resource labelled with more than one policy is as sensitive as its broadest label
    return labels.length === 1 && LABEL_CATEGORIES[labels[0]] ? LABEL_CATEGORIES[labels[0]] : 'sensitivity-label';
  for (const coding of codingsOf(resource)) {
    const code = (coding.code ?? '').toUpperCase();
    if (coding.system === SNOMED && SNOMED_CODES.has(code)) return SNOMED_CODES.get(code);
    if (coding.system === ICD10) {
      const hit = ICD10_PREFIXES.find(([prefix]) => code.replace('.', '').startsWith(prefix));
      if (hit) return hit[1];
    }
  }
  return undefined;
}
