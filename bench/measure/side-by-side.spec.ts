import { readFileSync } from 'node:fs';
import type { Bundle, Reference } from 'fhir/r4';
import { fixturePath } from '@continuum/testing/test-fixtures';
import { createdReference, freshCopy, ISSUE_15_SCENARIOS, sideBySideTable, verdict } from './side-by-side';

const references = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(references);
  if (value && typeof value === 'object') {
    const own =
      typeof (value as Reference).reference === 'string' ? [(value as Reference).reference as string] : [];
    return [...own, ...Object.values(value).flatMap(references)];
  }
  return [];
};

describe('side-by-side workload helpers', () => {
  const original = readFileSync(
    fixturePath('synthea-r4-bundles', 'Luigi_Wiegand_e27d88b0-c5e5-4042-ad49-184f6a900ee3.json'),
    'utf8',
  );

  it('gives every entry of a copy a fresh id, and every reference follows its entry', () => {
    const before = JSON.parse(original) as Bundle;
    const copy = JSON.parse(freshCopy(original)) as Bundle;
    const fullUrls = new Set(copy.entry?.map((entry) => entry.fullUrl));
    expect(fullUrls.size).toBe(before.entry?.length);
    for (const [i, entry] of (copy.entry ?? []).entries()) {
      expect(entry.fullUrl).not.toBe(before.entry?.[i].fullUrl);
      expect(entry.fullUrl).toBe(`urn:uuid:${entry.resource?.id}`);
    }
    const named = (copy.entry ?? []).flatMap((entry) => references(entry.resource));
    expect(named.length).toBeGreaterThan(50);
    // every urn:uuid reference names an entry of the copy; none names the original's
    for (const reference of named.filter((ref) => ref.startsWith('urn:uuid:')))
      expect(fullUrls).toContain(reference);
    expect(freshCopy(original)).not.toBe(freshCopy(original));
  });

  it('reads Type/id from a response location, relative or absolute', () => {
    expect(createdReference('Patient/abc-1/_history/1')).toBe('Patient/abc-1');
    expect(createdReference('http://hapi:8080/fhir/Observation/1234/_history/1')).toBe('Observation/1234');
    expect(createdReference(undefined)).toBeUndefined();
  });

  it('marks targets met or not met from the measured figure, and prints HAPI beside it', () => {
    const { read, httpIngest } = ISSUE_15_SCENARIOS;
    expect(verdict({ scenario: read, values: [1.1, 1.9] })).toBe('met');
    expect(verdict({ scenario: read, values: [1.1, 2.1] })).toBe('not met');
    expect(verdict({ scenario: httpIngest, values: [1999] })).toBe('not met');
    expect(verdict({ scenario: httpIngest })).toBe('—');
    const table = sideBySideTable(
      [
        { scenario: read, values: [1.24, 3.5] },
        { scenario: ISSUE_15_SCENARIOS.tokenSearch, values: [10, 19] },
      ],
      'Continuum',
    );
    // every row has the header's number of cells (no unescaped pipe inside one)
    const cells = (line: string) => line.split(/(?<!\\)\|/).length;
    for (const line of table.split('\n')) expect(cells(line)).toBe(cells(table.split('\n')[0]));
    expect(table).toContain('HAPI FHIR JPA 8.8.0, from issue #15, not measured by this run');
    expect(table).toContain(
      '| read by id p50 / p95 | **1.2 / 3.5 ms** | 3.5–4.1 / 9.2–10.3 ms | 4.6–5.9 / 11.1–14.7 ms | p95 ≤ 2 ms | not met |',
    );
  });
});
