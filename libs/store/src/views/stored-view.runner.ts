import { type ConsentRestriction, LOCATING_ELEMENTS, planView, type ViewRow } from '@continuum/fhir';
import type postgres from 'postgres';
import { visibleUnderConsentForScans } from '../consent/consent-directive.sql';
import { redactedContent, rowOfRestrictedPerson } from '../restricted/restricted-person.sql';
import { reserveForScan } from '../scan/scan-connection';
import { asViewError } from './view-sql.runner';
import { COMPARTMENTS_COLUMN, compileViewToSql, SOURCE_SYSTEM_COLUMN } from './view.sql-compiler';

/** Which of the store's resources a view runs over (the selection a scan of the view's type would make). */
export interface ViewRunOptions {
  /** Only resources last updated after this instant. */
  since?: Date;
  /** Only these patients' compartments. */
  compartment?: { patientIds: string[] };
  /** Leaves out the patients these consent directives hide (the secured store's caller's view). */
  consent?: ConsentRestriction;
  /** Computes the rows from a restricted person's resources without their locating details (the secured door). */
  redactRestricted?: boolean;
  /** Only resources last updated by this instant (a snapshot, as a scan's `until`). */
  until?: Date;
  /** Only rows whose column is a string starting with the prefix (decided by the statement). */
  columnStartsWith?: { column: string; prefix: string };
  /** Also answer each row's source system (`sourceSystems`, in row order). */
  withSourceSystem?: boolean;
  /** Rows per page; default 1000. */
  pageSize?: number;
}

/** A page of a view's rows, and the patients whose resources gave them (what an audit names). */
export interface ViewRowsPage {
  rows: ViewRow[];
  patientIds: string[];
  /** With `withSourceSystem`: each row's resource's source system, in row order. */
  sourceSystems?: (string | null)[];
}

/** The alias the compiled statement reads the selected resources under (a CTE of this statement). */
const SOURCE = 'view_source';
/** Types a restricted person's locating details can be in (others are never redacted). */
const LOCATING_TYPES = Object.keys(LOCATING_ELEMENTS);

/**
 * A ViewDefinition compiled to SQL (view.sql-compiler.ts) run over the store's current resources of its type, with
 * the selection and restrictions of the record's scan applied in the same statement: `_since`, a compartment,
 * consent and the national data opt-out (the hashed set of hidden patients, as scans use), and a restricted
 * person's locating details removed from the content before any column is computed from it (the same result as
 * `redactLocating` on the resource). Rows come in resource_key order, each with its resource's compartments for
 * the audit, through a cursor on a connection of its own (reserveForScan).
 * A view outside the compiled subset throws ViewNotCompilable before any statement runs.
 */
export async function* runStoredView(
  sql: postgres.Sql,
  view: unknown,
  options: ViewRunOptions = {},
): AsyncGenerator<ViewRowsPage> {
  const plan = planView(view);
  const compiled = compileViewToSql(plan, {
    table: SOURCE,
    withCompartments: true,
    withSourceSystem: options.withSourceSystem,
    columnStartsWith: options.columnStartsWith,
  });
  const { connection, release } = await reserveForScan(sql);
  try {
    const q = connection as unknown as postgres.Sql; // builds fragments as the pool does
    const { since, until, compartment, consent } = options;
    const restricted = options.redactRestricted
      ? q`(r.resource_type = ANY(${LOCATING_TYPES}::text[]) AND ${rowOfRestrictedPerson(q, 'r')})`
      : q`false`;
    // MATERIALIZED: the compiled statement reads `content` in every column; inlined, the redaction would be
    // computed once per use instead of once per row
    const statement = q`
      WITH ${q(SOURCE)} AS MATERIALIZED (
        SELECT r.resource_type, r.resource_key, r.compartments, r.source_system,
          ${redactedContent(q, 'r', restricted)} AS content
        FROM resource r
        WHERE r.resource_type = ${plan.resource} AND NOT r.deleted
          ${since ? q`AND r.last_updated > ${since}` : q``}
          ${until ? q`AND r.last_updated <= ${until}` : q``}
          ${compartment ? q`AND r.compartments && ${compartment.patientIds}::text[]` : q``}
          ${consent ? q`AND ${visibleUnderConsentForScans(q, 'r', consent)}` : q``})
      ${fragmentOf(q, compiled.text, compiled.params)}`;
    for await (const page of statement.cursor(options.pageSize ?? 1000)) {
      const patients = new Set<string>();
      const sourceSystems: (string | null)[] = [];
      const rows = page.map((row) => {
        const {
          [COMPARTMENTS_COLUMN]: compartments,
          [SOURCE_SYSTEM_COLUMN]: sourceSystem,
          ...values
        } = row as Record<string, unknown>;
        (compartments as string[]).forEach((patient) => patients.add(patient));
        if (options.withSourceSystem) sourceSystems.push((sourceSystem as string | null) ?? null);
        return values as ViewRow;
      });
      yield { rows, patientIds: [...patients], ...(options.withSourceSystem ? { sourceSystems } : {}) };
    }
  } catch (error) {
    throw asViewError(error);
  } finally {
    await release();
  }
}

/**
 * The compiler's text with its numbered parameters (`$1::jsonpath`…) as a postgres.js fragment, so it composes with
 * the store's own fragments in one statement: the text between placeholders is the template, the values stay
 * parameters (nothing from the view is spliced in).
 */
function fragmentOf(sql: postgres.Sql, text: string, params: readonly unknown[]): postgres.Fragment {
  const parts = text.split(/\$(\d+)(?!\d)/);
  const strings: string[] = [];
  const values: unknown[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    strings.push(parts[i]);
    if (i + 1 < parts.length) values.push(params[Number(parts[i + 1]) - 1]);
  }
  const template = Object.assign(strings, { raw: [...strings] }) as unknown as TemplateStringsArray;
  return sql(template, ...(values as postgres.ParameterOrFragment<never>[]));
}
