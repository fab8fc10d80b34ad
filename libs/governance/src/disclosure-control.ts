/**
 * Statistical disclosure control for aggregate tables (counts by provider × service × commissioner × month, say).
 *
 * The default is the NHS secondary-care rule (HES analysis guide): counts from 1 to 7 are published as `*`, other
 * counts are rounded to the nearest 5, and totals are the sums of the published values, so no total reveals a hidden
 * cell. A policy may instead publish true totals (rounded and suppressed like cells); then subtraction could recover
 * a hidden cell, and complementary suppression hides further cells until no hidden value is determined by the
 * released table's equations (checked exactly, by linear algebra, not by a rule of thumb).
 */

export interface DisclosurePolicy {
  readonly name: string;
  /** Counts from `low` to `high` inclusive are suppressed. */
  readonly suppress: { readonly low: number; readonly high: number };
  /** Published counts are rounded to the nearest multiple of this (1: not rounded). */
  readonly roundTo: number;
  /** `published`: a total is the sum of its published cells; `true`: the true total, controlled like a cell. */
  readonly totals: 'published' | 'true';
}

export const NHS_SECONDARY_CARE_RULE: DisclosurePolicy = {
  name: 'nhs-secondary-care',
  suppress: { low: 1, high: 7 },
  roundTo: 5,
  totals: 'published',
};

/** True totals, with complementary suppression: for recipients who must reconcile totals with other releases. */
export const TRUE_TOTALS_WITH_COMPLEMENTARY_SUPPRESSION: DisclosurePolicy = {
  ...NHS_SECONDARY_CARE_RULE,
  name: 'nhs-secondary-care-true-totals',
  totals: 'true',
};

export const SUPPRESSED = '*';
export type PublishedCount = number | typeof SUPPRESSED;

export interface CountTable {
  readonly dimensions: readonly string[];
  /** One entry per combination present; absent combinations are zero and are not published. */
  readonly cells: readonly { readonly key: readonly string[]; readonly count: number }[];
}

/** Why an item is hidden: below the threshold itself, or hidden to protect another item. */
export type SuppressionReason = 'primary' | 'complementary';

export interface ReleasedItem {
  /** For a total, `null` at each dimension summed over; the grand total is all nulls. */
  readonly key: readonly (string | null)[];
  readonly value: PublishedCount;
  readonly suppression?: SuppressionReason;
}

export interface ReleasedTable {
  readonly policy: string;
  readonly dimensions: readonly string[];
  readonly cells: readonly ReleasedItem[];
  /** Totals over each single dimension (the others fixed), then the grand total last. */
  readonly totals: readonly ReleasedItem[];
  readonly suppressedCells: number;
  readonly complementaryCells: number;
}

export class DisclosurePolicyError extends Error {}

export function checkPolicy(policy: DisclosurePolicy): void {
  const { low, high } = policy.suppress;
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 1 || high < low)
    throw new DisclosurePolicyError(`policy '${policy.name}': suppress needs whole numbers 1 <= low <= high`);
  if (!Number.isInteger(policy.roundTo) || policy.roundTo < 1)
    throw new DisclosurePolicyError(`policy '${policy.name}': roundTo must be a whole number of at least 1`);
}

export function roundToNearest(count: number, multiple: number): number {
  return Math.round(count / multiple) * multiple;
}

/** Applies the policy to a table of counts. Deterministic: the same table and policy give the same release. */
export function controlDisclosure(
  table: CountTable,
  policy: DisclosurePolicy = NHS_SECONDARY_CARE_RULE,
): ReleasedTable {
  checkPolicy(policy);
  const items = tableItems(table);
  const hidden = new Map<number, SuppressionReason>();
  const inRange = (value: number): boolean => value >= policy.suppress.low && value <= policy.suppress.high;
  const primaryCandidates = policy.totals === 'true' ? items.all : items.cells;
  for (const item of primaryCandidates) if (inRange(item.count)) hidden.set(item.index, 'primary');
  if (policy.totals === 'true') protectBySubtraction(items, hidden);

  const publish = (item: TableItem): PublishedCount =>
    hidden.has(item.index) ? SUPPRESSED : roundToNearest(item.count, policy.roundTo);
  const cellValues = new Map(items.cells.map((cell) => [cell.index, publish(cell)]));
  const totalValue = (line: Line): PublishedCount => {
    const total = items.all[line.total];
    if (policy.totals === 'true') return publish(total);
    return line.members.reduce((sum, member) => {
      const value = cellValues.get(member) ?? 0;
      return value === SUPPRESSED ? sum : sum + value;
    }, 0);
  };
  const release = (item: TableItem, value: PublishedCount): ReleasedItem => {
    const suppression = hidden.get(item.index);
    return suppression ? { key: item.key, value, suppression } : { key: item.key, value };
  };
  const published = [
    ...items.lines.filter((line) => line.kind === 'margin'),
    ...items.lines.filter((line) => line.kind === 'grand'),
  ];
  return {
    policy: policy.name,
    dimensions: table.dimensions,
    cells: items.cells.map((cell) => release(cell, cellValues.get(cell.index)!)),
    totals: published.map((line) => release(items.all[line.total], totalValue(line))),
    suppressedCells: items.cells.filter((cell) => hidden.has(cell.index)).length,
    complementaryCells: items.cells.filter((cell) => hidden.get(cell.index) === 'complementary').length,
  };
}

/** A cell or a total of the table, with its true count. */
interface TableItem {
  readonly index: number;
  readonly key: readonly (string | null)[];
  readonly count: number;
}

/** An equation of the release: the members' counts add up to the total's. */
interface Line {
  readonly members: readonly number[];
  readonly total: number;
  /** margin: cells along one dimension; grand: every cell; margins: the totals over one dimension. */
  readonly kind: 'margin' | 'grand' | 'margins';
}

interface TableItems {
  readonly all: readonly TableItem[];
  readonly cells: readonly TableItem[];
  readonly lines: readonly Line[];
}

function tableItems(table: CountTable): TableItems {
  const width = table.dimensions.length;
  const seen = new Set<string>();
  const all: TableItem[] = [];
  for (const cell of table.cells) {
    if (cell.key.length !== width)
      throw new DisclosurePolicyError(
        `cell ${JSON.stringify(cell.key)} has ${cell.key.length} keys for ${width} dimensions`,
      );
    if (!Number.isInteger(cell.count) || cell.count < 0)
      throw new DisclosurePolicyError(
        `cell ${JSON.stringify(cell.key)} has count ${cell.count}; counts are whole numbers >= 0`,
      );
    const id = JSON.stringify(cell.key);
    if (seen.has(id)) throw new DisclosurePolicyError(`cell ${id} appears twice`);
    seen.add(id);
  }
  // A stable order (by key) so the release never depends on the order rows arrived in.
  const sortedCells = [...table.cells].sort((a, b) => compareKeys(a.key, b.key));
  for (const cell of sortedCells) all.push({ index: all.length, key: cell.key, count: cell.count });
  const cells = [...all];

  const lines: Line[] = [];
  const marginsByDimension: number[][] = [];
  // With one dimension its only margin would be the grand total itself, so margins start at two dimensions.
  for (let dimension = 0; width > 1 && dimension < width; dimension++) {
    const groups = new Map<string, number[]>();
    for (const cell of cells) {
      const id = JSON.stringify(cell.key.map((part, i) => (i === dimension ? null : part)));
      groups.set(id, [...(groups.get(id) ?? []), cell.index]);
    }
    const margins: number[] = [];
    for (const [id, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const total: TableItem = {
        index: all.length,
        key: JSON.parse(id) as (string | null)[],
        count: members.reduce((sum, member) => sum + all[member].count, 0),
      };
      all.push(total);
      margins.push(total.index);
      lines.push({ members, total: total.index, kind: 'margin' });
    }
    marginsByDimension.push(margins);
  }
  const grand: TableItem = {
    index: all.length,
    key: table.dimensions.map(() => null),
    count: cells.reduce((sum, cell) => sum + cell.count, 0),
  };
  all.push(grand);
  lines.push({ members: cells.map((cell) => cell.index), total: grand.index, kind: 'grand' });
  for (const margins of marginsByDimension)
    lines.push({ members: margins, total: grand.index, kind: 'margins' });
  return { all, cells, lines };
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = a[i] < b[i] ? -1 : a[i] > b[i] ? 1 : 0;
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * Hides more items until no hidden item's count follows from the published ones: while some hidden item is
 * determined by the release's equations, hide the best published item on a line through one: a cell before a total,
 * a non-zero cell before a zero, the smallest first.
 */
function protectBySubtraction(items: TableItems, hidden: Map<number, SuppressionReason>): void {
  // Prefer cells to totals (totals are what readers use most), and a non-zero cell to a zero, which may be
  // structurally known (a service a provider does not run); then the smallest.
  const isCell = (index: number): boolean => index < items.cells.length;
  const preference = (a: number, b: number): number => {
    if (isCell(a) !== isCell(b)) return isCell(a) ? -1 : 1;
    const [countA, countB] = [items.all[a].count, items.all[b].count];
    if ((countA === 0) !== (countB === 0)) return countA === 0 ? 1 : -1;
    return countA - countB || a - b;
  };
  for (;;) {
    const exposed = determinedHiddenItems(items.lines, hidden);
    if (exposed.length === 0) return;
    const candidates = new Set(
      exposed
        .flatMap((target) =>
          items.lines.filter((line) => line.members.includes(target) || line.total === target),
        )
        .flatMap((line) => [...line.members, line.total].filter((index) => !hidden.has(index))),
    );
    const next = [...candidates].sort(preference)[0];
    if (next === undefined)
      throw new Error('disclosure control: a determined count with nothing left to hide');
    hidden.set(next, 'complementary');
  }
}

/**
 * The hidden items whose counts the released equations fix. Each line gives Σ hidden members − hidden total = a
 * published constant; a hidden item is determined exactly when its unit vector lies in the row space of those
 * equations, read off the reduced row echelon form: a pivot column whose row has no entry in a free column.
 */
export function determinedHiddenItems(
  lines: readonly { members: readonly number[]; total: number }[],
  hidden: ReadonlyMap<number, unknown>,
): number[] {
  const variables = [...hidden.keys()].sort((a, b) => a - b);
  const column = new Map(variables.map((item, i) => [item, i]));
  const rows: number[][] = [];
  for (const line of lines) {
    const row = new Array<number>(variables.length).fill(0);
    let any = false;
    for (const member of line.members) {
      const at = column.get(member);
      if (at !== undefined) {
        row[at] += 1;
        any = true;
      }
    }
    const totalAt = column.get(line.total);
    if (totalAt !== undefined) {
      row[totalAt] -= 1;
      any = true;
    }
    if (any) rows.push(row);
  }
  const pivotRows = reducedRowEchelon(rows, variables.length);
  const pivotColumns = new Set(pivotRows.map((pivot) => pivot.column));
  const determined: number[] = [];
  for (const { column: pivot, row } of pivotRows) {
    const touchesFree = row.some(
      (value, at) => at !== pivot && !pivotColumns.has(at) && Math.abs(value) > EPSILON,
    );
    if (!touchesFree) determined.push(variables[pivot]);
  }
  return determined.sort((a, b) => a - b);
}

const EPSILON = 1e-9;

function reducedRowEchelon(rows: number[][], width: number): { column: number; row: number[] }[] {
  const matrix = rows.map((row) => [...row]);
  const pivots: { column: number; rowIndex: number }[] = [];
  let next = 0;
  for (let col = 0; col < width && next < matrix.length; col++) {
    let best = next;
    for (let r = next + 1; r < matrix.length; r++)
      if (Math.abs(matrix[r][col]) > Math.abs(matrix[best][col])) best = r;
    if (Math.abs(matrix[best][col]) < EPSILON) continue;
    [matrix[next], matrix[best]] = [matrix[best], matrix[next]];
    const scale = matrix[next][col];
    for (let c = 0; c < width; c++) matrix[next][c] /= scale;
    for (let r = 0; r < matrix.length; r++) {
      if (r === next || Math.abs(matrix[r][col]) < EPSILON) continue;
      const factor = matrix[r][col];
      for (let c = 0; c < width; c++) matrix[r][c] -= factor * matrix[next][c];
    }
    pivots.push({ column: col, rowIndex: next });
    next++;
  }
  return pivots.map(({ column, rowIndex }) => ({ column, row: matrix[rowIndex] }));
}
