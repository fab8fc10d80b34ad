import fc from 'fast-check';
import {
  type CountTable,
  controlDisclosure,
  determinedHiddenItems,
  type DisclosurePolicy,
  NHS_SECONDARY_CARE_RULE,
  type ReleasedTable,
  SUPPRESSED,
  TRUE_TOTALS_WITH_COMPLEMENTARY_SUPPRESSION,
} from './disclosure-control';

const table = (dimensions: string[], rows: [string[], number][]): CountTable => ({
  dimensions,
  cells: rows.map(([key, count]) => ({ key, count })),
});

const valueAt = (release: ReleasedTable, key: (string | null)[]) =>
  [...release.cells, ...release.totals].find((item) => JSON.stringify(item.key) === JSON.stringify(key))
    ?.value;

describe('the NHS secondary-care rule (the default policy)', () => {
  const counts = table(
    ['provider', 'month'],
    [
      [['RXX', '2026-10'], 3],
      [['RXX', '2026-11'], 12],
      [['RYY', '2026-10'], 8],
      [['RYY', '2026-11'], 0],
    ],
  );
  const release = controlDisclosure(counts);

  it('publishes 1 to 7 as *, rounds the rest to the nearest 5 and keeps zeros', () => {
    expect(valueAt(release, ['RXX', '2026-10'])).toBe(SUPPRESSED);
    expect(valueAt(release, ['RXX', '2026-11'])).toBe(10);
    expect(valueAt(release, ['RYY', '2026-10'])).toBe(10);
    expect(valueAt(release, ['RYY', '2026-11'])).toBe(0);
    expect(release.suppressedCells).toBe(1);
  });

  it('computes every total from the published values, so no total reveals a hidden cell', () => {
    expect(valueAt(release, ['RXX', null])).toBe(10);
    expect(valueAt(release, [null, '2026-10'])).toBe(10);
    expect(valueAt(release, [null, null])).toBe(20);
  });

  it('refuses a table that is not counts, naming the cell', () => {
    expect(() => controlDisclosure(table(['provider'], [[['RXX'], -1]]))).toThrow(/\["RXX"\] has count -1/);
    expect(() => controlDisclosure(table(['provider'], [[['RXX', 'extra'], 1]]))).toThrow(
      /2 keys for 1 dimensions/,
    );
  });
});

describe('true totals need complementary suppression', () => {
  it('hides a second cell in a row whose total would otherwise give the hidden one away', () => {
    const counts = table(
      ['provider', 'month'],
      [
        [['RXX', '2026-10'], 3],
        [['RXX', '2026-11'], 40],
        [['RYY', '2026-10'], 25],
        [['RYY', '2026-11'], 30],
      ],
    );
    const release = controlDisclosure(counts, TRUE_TOTALS_WITH_COMPLEMENTARY_SUPPRESSION);
    expect(valueAt(release, ['RXX', '2026-10'])).toBe(SUPPRESSED);
    expect(release.complementaryCells).toBeGreaterThan(0);
    expect(valueAt(release, ['RXX', null])).not.toBe(SUPPRESSED);
    expectNothingRecoverable(counts, release);
  });

  it('finds a cell fixed by a bridge between two protected blocks, which a two-per-line rule would miss', () => {
    // Hidden cells form two 2×2 cycles joined by one cell: every row and column holds two hidden cells, yet the
    // joining cell is fixed by the equations. The exact check must hide more.
    const hidden = new Map<number, string>([
      [0, 'x'], [1, 'x'], [2, 'x'], [3, 'x'], // block A: r1c1 r1c2 r2c1 r2c2
      [4, 'x'], [5, 'x'], [6, 'x'], [7, 'x'], // block B: r3c3 r3c4 r4c3 r4c4
      [8, 'x'], // bridge r1c3
    ]); // prettier-ignore
    const publishedTotal = 100; // indices of published totals: never hidden, so only their presence matters
    const lines = [
      { members: [0, 1, 8], total: publishedTotal }, // r1
      { members: [2, 3], total: publishedTotal + 1 }, // r2
      { members: [4, 5], total: publishedTotal + 2 }, // r3
      { members: [6, 7], total: publishedTotal + 3 }, // r4
      { members: [0, 2], total: publishedTotal + 4 }, // c1
      { members: [1, 3], total: publishedTotal + 5 }, // c2
      { members: [4, 6, 8], total: publishedTotal + 6 }, // c3
      { members: [5, 7], total: publishedTotal + 7 }, // c4
    ];
    expect(determinedHiddenItems(lines, hidden)).toEqual([8]);
  });
});

/** A random 2- or 3-dimensional table, with small counts common, as real activity by small services is. */
const countTables = fc
  .record({
    sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    seed: fc.array(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 60 })), {
      minLength: 64,
      maxLength: 64,
    }),
  })
  .map(({ sizes, seed }): CountTable => {
    const dimensions = sizes.map((_, i) => `d${i}`);
    const keys = sizes.reduce<string[][]>(
      (acc, size, dim) =>
        acc.flatMap((key) => Array.from({ length: size }, (_, v) => [...key, `d${dim}v${v}`])),
      [[]],
    );
    return { dimensions, cells: keys.map((key, i) => ({ key, count: seed[i % seed.length] })) };
  });

/** Every published number, cell or total. */
const publishedNumbers = (release: ReleasedTable): number[] =>
  [...release.cells, ...release.totals].flatMap((item) => (item.value === SUPPRESSED ? [] : [item.value]));

/**
 * Recovery by subtraction, checked independently of the implementation's own bookkeeping: from the released table
 * alone, build every equation (cells along a dimension add up to their total; the grand total) and ask whether any
 * hidden value is fixed by them.
 */
function expectNothingRecoverable(counts: CountTable, release: ReleasedTable): void {
  const items = [...release.cells, ...release.totals];
  const id = (key: readonly (string | null)[]) => JSON.stringify(key);
  const indexOf = new Map(items.map((item, i) => [id(item.key), i]));
  const hidden = new Map(items.flatMap((item, i) => (item.value === SUPPRESSED ? [[i, true] as const] : [])));
  const lines: { members: number[]; total: number }[] = [];
  const width = counts.dimensions.length;
  if (width > 1)
    for (let dim = 0; dim < width; dim++) {
      const groups = new Map<string, number[]>();
      release.cells.forEach((cell, i) => {
        const margin = id(cell.key.map((part, at) => (at === dim ? null : part)));
        groups.set(margin, [...(groups.get(margin) ?? []), i]);
      });
      for (const [margin, members] of groups) lines.push({ members, total: indexOf.get(margin)! });
      lines.push({
        members: [...groups.keys()].map((margin) => indexOf.get(margin)!),
        total: indexOf.get(id(counts.dimensions.map(() => null)))!,
      });
    }
  lines.push({
    members: release.cells.map((_, i) => i),
    total: indexOf.get(id(counts.dimensions.map(() => null)))!,
  });
  expect(determinedHiddenItems(lines, hidden)).toEqual([]);
}

describe.each<[string, DisclosurePolicy]>([
  ['the NHS secondary-care rule', NHS_SECONDARY_CARE_RULE],
  ['true totals with complementary suppression', TRUE_TOTALS_WITH_COMPLEMENTARY_SUPPRESSION],
])('over random tables, %s', (_name, policy) => {
  it('publishes no count from 1 to 7 and every count as a multiple of 5', () => {
    fc.assert(
      fc.property(countTables, (counts) => {
        for (const value of publishedNumbers(controlDisclosure(counts, policy))) {
          expect(value >= 1 && value <= 7).toBe(false);
          expect(value % 5).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hides every true count from 1 to 7', () => {
    fc.assert(
      fc.property(countTables, (counts) => {
        const release = controlDisclosure(counts, policy);
        const byKey = new Map(release.cells.map((cell) => [JSON.stringify(cell.key), cell.value]));
        for (const cell of counts.cells)
          if (cell.count >= 1 && cell.count <= 7)
            expect(byKey.get(JSON.stringify(cell.key))).toBe(SUPPRESSED);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same release whatever order the cells arrive in', () => {
    fc.assert(
      fc.property(countTables, (counts) => {
        const reversed = { ...counts, cells: [...counts.cells].reverse() };
        expect(controlDisclosure(reversed, policy)).toEqual(controlDisclosure(counts, policy));
      }),
      { numRuns: 100 },
    );
  });
});

describe('over random tables, recovery by subtraction', () => {
  it('with true totals, no hidden count follows from the released equations', () => {
    fc.assert(
      fc.property(countTables, (counts) => {
        expectNothingRecoverable(
          counts,
          controlDisclosure(counts, TRUE_TOTALS_WITH_COMPLEMENTARY_SUPPRESSION),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('with totals from published values, each total is exactly the sum of its published cells', () => {
    fc.assert(
      fc.property(countTables, (counts) => {
        const release = controlDisclosure(counts, NHS_SECONDARY_CARE_RULE);
        const grand = release.totals.at(-1)!;
        const sum = release.cells.reduce(
          (acc, cell) => acc + (cell.value === SUPPRESSED ? 0 : cell.value),
          0,
        );
        expect(grand.value).toBe(sum);
      }),
      { numRuns: 300 },
    );
  });
});
