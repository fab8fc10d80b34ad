import type { ViewDefinition, ViewRow } from '@continuum/fhir';
import type { ResourceStore } from '@continuum/store';

/** Rows per page from the door: memory stays bounded by a page plus the rows kept. */
const PAGE_ROWS = 1000;

/** A view's row with the source system of the record it came from (the type 1 objection needs it). */
export interface SourcedViewRow {
  readonly values: ViewRow;
  readonly sourceSystem: string | null;
}

/**
 * Runs a ViewDefinition over the record as the current caller sees it: `ResourceStore.runView`, the view compiled
 * to SQL behind the secured door (scopes, consent, audit of every page, restricted people's locating details
 * removed before any column is computed), over the resources last updated by the extract's transactionTime. With
 * `startsWith`, the statement keeps only the rows whose column starts with the prefix (the period on the pack's
 * activity-date column), so a month's rows, not the type's whole history, reach the pipeline.
 */
export async function readViewRows(
  store: ResourceStore,
  view: ViewDefinition,
  until: Date,
  startsWith?: { column: string; prefix: string },
  onPage: (rows: number) => void = () => undefined,
): Promise<SourcedViewRow[]> {
  const rows: SourcedViewRow[] = [];
  for await (const page of store.runView(view, {
    until,
    columnStartsWith: startsWith,
    withSourceSystem: true,
    pageSize: PAGE_ROWS,
  })) {
    page.rows.forEach((values, index) => rows.push({ values, sourceSystem: page.sourceSystems?.[index] ?? null }));
    onPage(page.rows.length);
  }
  return rows;
}
