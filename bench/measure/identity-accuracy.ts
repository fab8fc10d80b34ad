import {
  candidatePairs,
  DEFAULT_LINKING_LIMITS,
  linkageAccuracy,
  precisionRecallCurve,
  score,
  type BlockingRuleReport,
  type LinkageAccuracy,
  type LinkedRecordOutcome,
  type MatchModel,
  type PrecisionRecallPoint,
} from '@continuum/fhir';
import type { LabelledPatient } from './labelled-population';

/** The targets (#13, "Must show"). */
export const IDENTITY_TARGETS = { matchPrecision: 0.999, recall: 0.98, bcubedF1: 0.98, maxGroupGap: 0.02 };

const CURVE_THRESHOLDS = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 0.99999];

export interface BlockingFigures {
  records: number;
  candidatePairs: number;
  /** 1 − candidate pairs / all pairs. */
  reductionRatio: number;
  /** True pairs blocking produced / all true pairs. */
  pairCompleteness: number;
  rules: BlockingRuleReport[];
}

/** Blocking statistics and the pairwise precision–recall curve over the same candidate pairs the linker meets. */
export function blockingAndCurve(
  records: readonly LabelledPatient[],
  model: MatchModel,
  truePairs: number,
): { blocking: BlockingFigures; curve: PrecisionRecallPoint[] } {
  const pairs = candidatePairs(
    records.map((record) => record.prepared),
    { maxBlockSize: DEFAULT_LINKING_LIMITS.maxBlockSize },
  );
  const probabilities = new Float64Array(pairs.count);
  const same = new Uint8Array(pairs.count);
  let blockedTrue = 0;
  for (let k = 0; k < pairs.count; k++) {
    const a = records[pairs.left[k]];
    const b = records[pairs.right[k]];
    probabilities[k] = score(a.prepared, b.prepared, model).probability;
    if (a.truePerson === b.truePerson) {
      same[k] = 1;
      blockedTrue++;
    }
  }
  const n = records.length;
  return {
    blocking: {
      records: n,
      candidatePairs: pairs.count,
      reductionRatio: 1 - pairs.count / ((n * (n - 1)) / 2),
      pairCompleteness: truePairs ? blockedTrue / truePairs : 1,
      rules: pairs.rules,
    },
    curve: precisionRecallCurve(probabilities, same, truePairs, CURVE_THRESHOLDS),
  };
}

export function outcomeOf(
  record: LabelledPatient,
  person: number,
  possible: readonly number[],
): LinkedRecordOutcome {
  return { truePerson: record.truePerson, person, possible, group: record.origin };
}

export { linkageAccuracy };

const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)}%`;
const num = (x: number) => x.toLocaleString('en-GB');
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');

/** The accuracy report as text tables (stdout of `npm run bench -- identity`). */
export function renderAccuracy(
  title: string,
  accuracy: LinkageAccuracy,
  blocking: BlockingFigures,
  curve: PrecisionRecallPoint[],
): string {
  const t = IDENTITY_TARGETS;
  const lines = [
    `identity accuracy: ${title}`,
    `  ${num(accuracy.records)} source Patients of ${num(accuracy.truePersons)} true persons → ${num(accuracy.predictedPersons)} persons; ${num(accuracy.truePairs)} true pairs`,
    '',
    `  measure                                   value      target    `,
    `  pairwise precision of automatic MATCH     ${pct(accuracy.matchPrecision, 3).padEnd(10)} ≥ ${pct(t.matchPrecision, 1).padEnd(8)} ${verdict(accuracy.matchPrecision >= t.matchPrecision)}   (${num(accuracy.correctMatchedPairs)} of ${num(accuracy.matchedPairs)} linked pairs)`,
    `  pairwise recall of MATCH                  ${pct(accuracy.matchRecall).padEnd(10)}`,
    `  pairwise recall of MATCH ∪ POSSIBLE       ${pct(accuracy.recall).padEnd(10)} ≥ ${pct(t.recall, 0).padEnd(8)} ${verdict(accuracy.recall >= t.recall)}   (${num(accuracy.foundPairs)} of ${num(accuracy.truePairs)})`,
    `  B-cubed precision                         ${pct(accuracy.bcubed.precision).padEnd(10)}`,
    `  B-cubed recall                            ${pct(accuracy.bcubed.recall).padEnd(10)}`,
    `  B-cubed F1                                ${pct(accuracy.bcubed.f1).padEnd(10)} ≥ ${pct(t.bcubedF1, 0).padEnd(8)} ${verdict(accuracy.bcubed.f1 >= t.bcubedF1)}`,
    `  largest recall gap between name origins   ${(100 * accuracy.maxGroupGap).toFixed(2).padEnd(6)} pts ≤ ${(100 * t.maxGroupGap).toFixed(0)} pts    ${verdict(accuracy.maxGroupGap <= t.maxGroupGap)}`,
    '',
    '  name origin         true pairs   recall (MATCH ∪ POSSIBLE)',
    ...Object.entries(accuracy.byGroup).map(
      ([group, figures]) =>
        `  ${group.padEnd(18)}  ${num(figures.truePairs).padStart(10)}   ${pct(figures.recall)}`,
    ),
    '',
    '  precision–recall curve (candidate pairs scored; probability ≥ threshold taken as a link; hard rules that',
    '  decide applied, those that only cap a decision at POSSIBLE_MATCH not)',
    '  threshold     pairs ≥     precision   recall',
    ...curve.map(
      (point) =>
        `  ${String(point.threshold).padEnd(10)}  ${num(point.predicted).padStart(10)}   ${pct(point.precision, 3).padStart(9)}   ${pct(point.recall)}`,
    ),
    '',
    `  blocking: ${num(blocking.candidatePairs)} candidate pairs of ${num(blocking.records)} records; reduction ratio ${(blocking.reductionRatio * 100).toFixed(5)}%; pair completeness ${pct(blocking.pairCompleteness)}`,
    '  rule                               blocks      pairs   new pairs   largest block   skipped blocks',
    ...blocking.rules.map(
      (rule) =>
        `  ${rule.rule.padEnd(32)} ${num(rule.blocks).padStart(8)} ${num(rule.pairs).padStart(10)} ${num(rule.newPairs).padStart(11)} ${String(rule.largestBlock).padStart(15)} ${String(rule.oversizedBlocks).padStart(16)}`,
    ),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
