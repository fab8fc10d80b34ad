import { codeTables } from '../data/code-tables';
import type { Random } from '../random/random';
import type { LabResult, Measurement } from './episode.model';

/** A person's physiology: their own baseline per analyte (in sd units) plus what their conditions shift. */
export interface Physiology {
  female: boolean;
  heightCm: number;
  bmi: number;
  /** Offset from the population mean, in standard deviations. */
  offsets: Record<string, number>;
  smoking: [string, string];
}

export function createPhysiology(female: boolean, age: number, rng: Random): Physiology {
  const adultHeight = female ? rng.normal(163, 6.5) : rng.normal(176, 7);
  const heightCm = age >= 18 ? adultHeight : Math.max(50, adultHeight * Math.min(1, 0.42 + age * 0.034));
  const bmi = age >= 18 ? rng.normal(27, 4.5) : rng.normal(17.5, 2);
  const offsets: Record<string, number> = {};
  for (const key of Object.keys(codeTables.analytes)) offsets[key] = rng.normal(0, 0.6);
  const smoking = age >= 16 ? rng.weighted(codeTables.smoking) : (['266919005', 'Never smoked tobacco'] as [string, string]);
  return { female, heightCm, bmi: Math.max(14, bmi), offsets, smoking };
}

/** Apply a condition's effects to the person's baselines (diabetes raises HbA1c, CKD lowers eGFR, ...). */
export function applyEffects(physiology: Physiology, effects: Record<string, number>): void {
  for (const [key, shift] of Object.entries(effects)) {
    if (key === 'bmi') physiology.bmi += shift * 4.5;
    else physiology.offsets[key] = (physiology.offsets[key] ?? 0) + shift;
  }
}

function round(value: number, dp: number): number {
  const f = 10 ** dp;
  return Math.round(value * f) / f;
}

export function measure(key: string, physiology: Physiology, at: Date, rng: Random): Measurement {
  const analyte = codeTables.analytes[key];
  if (key === 'bp') {
    return {
      analyteKey: 'bp',
      analyte: { system: 'loinc', code: '85354-9', display: 'Blood pressure panel with all children optional', unit: '', dp: 0, category: 'vital-signs' },
      components: [measure('systolic', physiology, at, rng), measure('diastolic', physiology, at, rng)],
      at,
    };
  }
  if (key === 'smoking') {
    return {
      analyteKey: 'smoking',
      analyte: { system: 'loinc', code: '72166-2', display: 'Tobacco smoking status', unit: '', dp: 0, category: 'survey' },
      coded: physiology.smoking,
      at,
    };
  }
  if (key === 'height') return { analyteKey: key, analyte, value: round(physiology.heightCm, analyte.dp), at };
  if (key === 'weight' || key === 'bmi') {
    const bmi = physiology.bmi + rng.normal(0, 0.4);
    const value = key === 'bmi' ? bmi : (bmi * physiology.heightCm * physiology.heightCm) / 10_000;
    return { analyteKey: key, analyte, value: round(value, analyte.dp), at };
  }
  if (!analyte || analyte.mean === undefined || analyte.sd === undefined) throw new Error(`no analyte '${key}' in observations.json`);
  const shift = physiology.female ? (analyte.femaleShift ?? 0) : 0;
  let value = analyte.mean + shift + analyte.sd * ((physiology.offsets[key] ?? 0) + rng.normal(0, 0.5));
  value = Math.max(analyte.min ?? 0, value);
  if (analyte.max !== undefined) value = Math.min(analyte.max, value);
  return { analyteKey: key, analyte, value: round(value, analyte.dp), at };
}

/** The measurements of a vital-sign set (codeTables.vitalSets), all taken at `at`. */
export function measureSet(setKey: string, physiology: Physiology, at: Date, rng: Random): Measurement[] {
  const keys = codeTables.vitalSets[setKey];
  if (!keys) throw new Error(`no vital-sign set '${setKey}' in observations.json`);
  return keys.map((key) => measure(key, physiology, at, rng));
}

export function runLabTest(testKey: string, physiology: Physiology, collected: Date, rng: Random): LabResult {
  const test = codeTables.tests[testKey];
  if (!test) throw new Error(`no lab test '${testKey}' in observations.json`);
  const reported = new Date(collected.getTime() + rng.int(2, 30) * 3_600_000);
  return {
    testKey,
    test,
    collected,
    reported,
    results: test.analytes.map((key) => measure(key, physiology, collected, rng)),
  };
}

/** Whether a monitoring key names a lab test or a vital-sign set. */
export function isLabTest(key: string): boolean {
  return key in codeTables.tests;
}
