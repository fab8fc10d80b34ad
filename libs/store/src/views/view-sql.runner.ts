import { planView, ViewDefinitionError, type ViewRow } from '@continuum/fhir';
import type postgres from 'postgres';
import { ViewNotCompilable } from './fhirpath.sql-compiler';
import { compileViewToSql, VIEW_ERROR_MARKER, type ViewSource } from './view.sql-compiler';

/**
 * Runs a ViewDefinition as compiled SQL over a table of resources: its columns and rows (in key order), streamed in
 * pages through a cursor. A view outside the compiled subset throws ViewNotCompilable (run it in memory instead); a
 * view that is invalid, or fails while running, throws ViewDefinitionError naming the path.
 */
export async function* runViewSql(
  sql: postgres.Sql,
  view: unknown,
  source: ViewSource,
  pageSize = 1000,
): AsyncGenerator<ViewRow[]> {
  const compiled = compileViewToSql(planView(view), source);
  // JIT would spend seconds compiling the statement's many jsonb expressions before the first row (the planner's
  // cost estimates for LATERAL function scans are high): off, on a connection of the view's own
  const connection = await sql.reserve();
  try {
    await connection`SET jit = off`;
    const cursor = connection
      .unsafe(compiled.text, compiled.params as postgres.ParameterOrJSON<never>[])
      .cursor(pageSize);
    for await (const page of cursor) yield page.map((row) => ({ ...row }) as ViewRow);
  } catch (error) {
    throw asViewError(error);
  } finally {
    await connection`RESET jit`.catch(() => undefined);
    connection.release();
  }
}

/** Whether a (valid) view is within the compiled subset; an invalid view throws its ViewDefinitionError. */
export function viewCompilesToSql(view: unknown): boolean {
  try {
    compileViewToSql(planView(view), { table: 'resource' });
    return true;
  } catch (error) {
    if (error instanceof ViewNotCompilable) return false;
    throw error;
  }
}

/** The column names a view outputs, in order. */
export function viewSqlColumns(view: unknown, source: ViewSource): string[] {
  return compileViewToSql(planView(view), source).columns;
}

/** Postgres's failed cast carrying a view error, as the ViewDefinitionError it stands for. */
export function asViewError(error: unknown): unknown {
  const message = (error as Error)?.message ?? '';
  const at = message.indexOf(VIEW_ERROR_MARKER);
  if (at < 0) return error;
  const reason = message.substring(at + VIEW_ERROR_MARKER.length).replace(/"$/, '');
  const colon = reason.indexOf(': ');
  return new ViewDefinitionError(reason.substring(0, colon), reason.substring(colon + 2));
}
