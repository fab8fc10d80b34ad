import type { MatchField } from './comparison-levels';
import type { Demographics } from './demographics';
import { asPrepared, type PreparedRecord } from './prepared-record';

/**
 * A blocking rule: records that share one of its keys are compared; no other pairs are. Keys are strings
 * namespaced by the rule ("nhs-number:9434765919"), so one service can take them as Kafka keys or hash them into
 * Postgres advisory locks and so serialise the linking of every record that could meet in a block. They hold
 * identifying values: hash them before they leave the process (Kafka keys and lock ids end up in logs).
 */
export interface BlockingRule {
  readonly name: string;
  readonly description: string;
  /**
   * Fields the rule's keys agree on, or whose levels the rule skews: EM on this rule's pairs leaves them out (they
   * agree by construction there). A rule on either name lists both, since transposition joins them.
   */
  readonly fields: readonly MatchField[];
  keys(record: PreparedRecord): readonly string[];
}

const NO_KEYS: readonly string[] = Object.freeze([]);

export const DEFAULT_BLOCKING_RULES: readonly BlockingRule[] = Object.freeze([
  {
    name: 'nhs-number',
    description: 'the same NHS number, current or superseded (so a re-issued number meets its old records)',
    fields: ['nhsNumber'],
    keys: (record: PreparedRecord) =>
      record.nhsNumber === '' && record.supersededNhsNumbers.length === 0
        ? NO_KEYS
        : distinct(
            [record.nhsNumber, ...record.supersededNhsNumbers]
              .filter(Boolean)
              .map((nhs) => `nhs-number:${nhs}`),
          ),
  },
  {
    name: 'birth-date+name-key',
    description:
      'the same birth date and the phonetic key of the family name, or of the first given name (so names ' +
      'transposed between given and family still meet)',
    fields: ['birthDate', 'family', 'given'],
    keys: (record: PreparedRecord) =>
      record.birthDate === ''
        ? NO_KEYS
        : distinct(
            [record.familyKey, record.givenKey]
              .filter(Boolean)
              .map((key) => `birth-date+name-key:${record.birthDate}:${key}`),
          ),
  },
  {
    name: 'postcode+given-key+birth-year',
    description: 'the same postcode, phonetic key of the first given name and birth year',
    // Both names: a pair whose names were transposed never shares the given key, so this rule's pairs say
    // nothing about how often family names are transposed.
    fields: ['postcode', 'given', 'family', 'birthDate'],
    keys: (record: PreparedRecord) =>
      record.postcode === '' || record.givenKey === '' || record.birthYear === ''
        ? NO_KEYS
        : [`postcode+given-key+birth-year:${record.postcode}:${record.givenKey}:${record.birthYear}`],
  },
  {
    name: 'family+given-initial+birth-year',
    description: 'the same family name, initial of the first given name and birth year',
    fields: ['family', 'given', 'birthDate'],
    keys: (record: PreparedRecord) =>
      record.family === '' || record.given === '' || record.birthYear === ''
        ? NO_KEYS
        : [`family+given-initial+birth-year:${record.family}:${record.given[0]}:${record.birthYear}`],
  },
]);

/** Every blocking key of a record under the given rules (default: DEFAULT_BLOCKING_RULES). */
export function blockingKeysOf(
  record: Demographics | PreparedRecord,
  rules: readonly BlockingRule[] = DEFAULT_BLOCKING_RULES,
): string[] {
  const prepared = asPrepared(record);
  return rules.flatMap((rule) => rule.keys(prepared));
}

export interface BlockingRuleReport {
  rule: string;
  /** Distinct keys (blocks) the rule made. */
  blocks: number;
  /** Distinct pairs the rule produced. */
  pairs: number;
  /** Of those, the pairs no earlier rule produced: the rules' newPairs add up to the candidate count. */
  newPairs: number;
  largestBlock: number;
  /** Blocks larger than maxBlockSize, skipped (a shared placeholder value, not a person). */
  oversizedBlocks: number;
}

/** Candidate pairs as two index columns (record indices, left < right), and what each rule produced. */
export interface CandidatePairs {
  count: number;
  left: Uint32Array;
  right: Uint32Array;
  /** For each pair, the index of the first rule that produced it. */
  rule: Uint8Array;
  rules: BlockingRuleReport[];
}

export interface CandidatePairOptions {
  rules?: readonly BlockingRule[];
  /** Blocks with more records than this are skipped and reported (default 1,000). */
  maxBlockSize?: number;
}

/** Every pair of records that shares a blocking key, each pair once, with per-rule counts. */
export function candidatePairs(
  records: readonly (Demographics | PreparedRecord)[],
  options: CandidatePairOptions = {},
): CandidatePairs {
  const rules = options.rules ?? DEFAULT_BLOCKING_RULES;
  const maxBlockSize = options.maxBlockSize ?? 1000;
  if (rules.length > 255) throw new RangeError('at most 255 blocking rules');
  const prepared = records.map(asPrepared);
  const keys = rules.map((rule) => prepared.map((record) => rule.keys(record)));
  const skipped = new Set<string>();
  const out = new PairBuffer();
  const reports = rules.map((rule, r) => {
    const blocks = new Map<string, number[]>();
    keys[r].forEach((recordKeys, index) => {
      for (const key of recordKeys) {
        const block = blocks.get(key);
        if (block) block.push(index);
        else blocks.set(key, [index]);
      }
    });
    const report: BlockingRuleReport = {
      rule: rule.name,
      blocks: blocks.size,
      pairs: 0,
      newPairs: 0,
      largestBlock: 0,
      oversizedBlocks: 0,
    };
    for (const [key, block] of blocks) {
      report.largestBlock = Math.max(report.largestBlock, block.length);
      if (block.length > maxBlockSize) {
        report.oversizedBlocks++;
        skipped.add(key);
      }
    }
    for (const [key, block] of blocks) {
      if (skipped.has(key)) continue;
      for (let x = 0; x < block.length; x++) {
        for (let y = x + 1; y < block.length; y++) {
          const i = block[x];
          const j = block[y];
          // Within the rule, count the pair at the first key the two records share.
          if (firstSharedKey(keys[r][i], keys[r][j], skipped) !== key) continue;
          report.pairs++;
          if (producedEarlier(keys, r, i, j, skipped)) continue;
          report.newPairs++;
          out.push(i, j, r);
        }
      }
    }
    return report;
  });
  return { ...out.result(), rules: reports };
}

function firstSharedKey(
  a: readonly string[],
  b: readonly string[],
  skipped: Set<string>,
): string | undefined {
  for (const key of a) if (!skipped.has(key) && b.includes(key)) return key;
  return undefined;
}

function producedEarlier(
  keys: readonly (readonly (readonly string[])[])[],
  rule: number,
  i: number,
  j: number,
  skipped: Set<string>,
): boolean {
  for (let earlier = 0; earlier < rule; earlier++)
    if (firstSharedKey(keys[earlier][i], keys[earlier][j], skipped) !== undefined) return true;
  return false;
}

function distinct(values: string[]): readonly string[] {
  return values.length < 2 ? values : [...new Set(values)];
}

class PairBuffer {
  private left = new Uint32Array(1024);
  private right = new Uint32Array(1024);
  private rule = new Uint8Array(1024);
  private count = 0;

  push(i: number, j: number, rule: number): void {
    if (this.count === this.left.length) {
      const grow = <T extends Uint32Array | Uint8Array>(array: T, make: (size: number) => T): T => {
        const bigger = make(array.length * 2);
        bigger.set(array);
        return bigger;
      };
      this.left = grow(this.left, (size) => new Uint32Array(size));
      this.right = grow(this.right, (size) => new Uint32Array(size));
      this.rule = grow(this.rule, (size) => new Uint8Array(size));
    }
    this.left[this.count] = i;
    this.right[this.count] = j;
    this.rule[this.count] = rule;
    this.count++;
  }

  result(): Omit<CandidatePairs, 'rules'> {
    return {
      count: this.count,
      left: this.left.slice(0, this.count),
      right: this.right.slice(0, this.count),
      rule: this.rule.slice(0, this.count),
    };
  }
}
