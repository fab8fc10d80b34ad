import type { Demographics } from './demographics';
import type { TermFrequencyTable } from './match-model';
import { asPrepared, type PreparedRecord } from './prepared-record';

export interface TermFrequencyOptions {
  /** Names seen fewer times than this are not listed (default 2). */
  minCount?: number;
  /** At most this many names per table, the most frequent (default 50,000). */
  maxValues?: number;
  /** No name's frequency is taken below this (default 1e-4, see below). */
  minimum?: number;
}

/**
 * How often each family name and first given name occurs among the records. A name's frequency becomes the u of
 * its exact agreement. Unlisted names get the frequency of the most frequent name left out (or 1/records when
 * none was). Frequencies are not taken below `minimum` (1 in 10,000 by default): a rarer name would otherwise
 * outweigh a birth date, and family members share both a rare surname and a postcode.
 */
export function termFrequencies(
  records: Iterable<Demographics | PreparedRecord>,
  options: TermFrequencyOptions = {},
): { family: TermFrequencyTable; given: TermFrequencyTable } {
  const family = new Map<string, number>();
  const given = new Map<string, number>();
  let familyTotal = 0;
  let givenTotal = 0;
  for (const input of records) {
    const record = asPrepared(input);
    if (record.family) {
      family.set(record.family, (family.get(record.family) ?? 0) + 1);
      familyTotal++;
    }
    if (record.given) {
      given.set(record.given, (given.get(record.given) ?? 0) + 1);
      givenTotal++;
    }
  }
  return {
    family: frequencyTable(family, familyTotal, options),
    given: frequencyTable(given, givenTotal, options),
  };
}

function frequencyTable(counts: Map<string, number>, total: number, options: TermFrequencyOptions) {
  const minCount = options.minCount ?? 2;
  const maxValues = options.maxValues ?? 50_000;
  const minimum = options.minimum ?? 1e-4;
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept = sorted.filter(([, count]) => count >= minCount).slice(0, maxValues);
  const firstLeftOut = sorted[kept.length];
  const values: Record<string, number> = {};
  for (const [value, count] of kept) values[value] = count / total;
  return {
    values,
    floor: total === 0 ? 1 : (firstLeftOut ? firstLeftOut[1] : 1) / total,
    minimum,
    records: total,
  } satisfies TermFrequencyTable;
}
