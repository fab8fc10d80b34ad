/** How a scan's selection is cut into key ranges of about equal rows (ResourceStore.scanBoundaries). */
export interface KeyRangeCut {
  /** A range per this many rows... */
  rowsPerRange: number;
  /** ...and at most this many ranges. */
  maxRanges: number;
}

/** How many ranges a selection of `rows` is cut into: one when it fits in one. */
export function rangeCount(rows: number, cut: KeyRangeCut): number {
  return Math.max(1, Math.min(cut.maxRanges, Math.ceil(rows / cut.rowsPerRange)));
}

/**
 * The keys that end each of `ranges` ranges but the last, from a sorted sample of keys: the sample's quantiles
 * (as `percentile_disc`: the first key at or past each fraction), without repeats.
 */
export function rangeEnds(sortedKeys: readonly string[], ranges: number): string[] {
  const ends: string[] = [];
  for (let range = 1; range < ranges && sortedKeys.length; range++) {
    const key = sortedKeys[Math.max(0, Math.ceil((range / ranges) * sortedKeys.length) - 1)];
    if (ends[ends.length - 1] !== key) ends.push(key);
  }
  return ends;
}
