import { ViewEvaluator, type ViewDefinition, type ViewRow } from '@continuum/fhir';
import type { ResourceStore } from '@continuum/store';
import type { Resource } from 'fhir/r4';

/** Resources read through the door per page: memory stays bounded by a page plus the rows kept. */
const SCAN_PAGE = 1000;

/** A view's row with the source system of the record it came from (the type 1 objection needs it). */
export interface SourcedViewRow {
  readonly values: ViewRow;
  readonly sourceSystem: string | null;
}

/**
 * Runs a ViewDefinition over the record as the current caller sees it: the store's secured scan (scopes, audit of
 * every page, restricted people redacted) up to the extract's transactionTime, evaluated in memory page by page, as
 * ViewDefinition/$run does. `keep` selects rows as they come (the period), so only the rows kept are held.
 */
export async function readViewRows(
  store: ResourceStore,
  view: ViewDefinition,
  until: Date,
  keep: (row: ViewRow) => boolean = () => true,
  onPage: (resources: number) => void = () => undefined,
): Promise<SourcedViewRow[]> {
  const evaluator = new ViewEvaluator(view);
  const rows: SourcedViewRow[] = [];
  for await (const page of store.scan({
    types: { include: [evaluator.resourceType] },
    until,
    pageSize: SCAN_PAGE,
  })) {
    for (const scanned of page) {
      if (!scanned.content) continue;
      for (const values of evaluator.rows(scanned.content as Resource))
        if (keep(values)) rows.push({ values, sourceSystem: scanned.sourceSystem ?? null });
    }
    onPage(page.length);
  }
  return rows;
}
