import type { PlannedColumn, PlannedSelect, ViewPlan } from '@continuum/fhir';
import { FhirPathSqlCompiler, SqlParameters, type SqlFocus } from './fhirpath.sql-compiler';

// A planned ViewDefinition (planView in @continuum/fhir) as one Postgres statement over a table of resources. Each
// select is a LATERAL subquery: forEach is jsonb_array_elements WITH ORDINALITY (its ordinal less one is %rowIndex),
// forEachOrNull the same under a LEFT JOIN, repeat a WITH RECURSIVE walk in depth-first order; nested selects are
// joined (the product of their rows) and unionAll branches are UNION ALL. Each row carries its position (`__ord`,
// an array of ordinals) so rows come out in resource_key order and, within a resource, in the evaluator's order.
// The errors the evaluator raises while running (a non-boolean where, several values in a non-collection column)
// are raised by the statement too, as a failed cast carrying the reason.

/** Where the resources are: a table with resource_type, resource_key and content columns (and `deleted` if any). */
export interface ViewSource {
  /** A table name (quoted as an identifier, never spliced raw). */
  table: string;
  /** Its schema, when not on the search path (quoted too). */
  schema?: string;
  /** Leave out rows marked deleted (the store's `resource` table). */
  hasDeletedColumn?: boolean;
  /**
   * Each row also carries its resource's patient compartments as `__compartments` (a `text[]` column of the
   * source): what the secured door audits. No view column can clash: view column names start with a letter.
   */
  withCompartments?: boolean;
  /** Each row also carries its resource's `source_system` as `__source_system` (a column of the source). */
  withSourceSystem?: boolean;
  /**
   * Only rows whose output column is a string starting with the prefix (a commissioning extract's month on its
   * activity-date column, `2026-10`): the test a reader would make on the row, made by the statement.
   */
  columnStartsWith?: { column: string; prefix: string };
}

/** The column a row's compartments come in when the source asks for them. */
export const COMPARTMENTS_COLUMN = '__compartments';
/** The column a row's source system comes in when the source asks for it. */
export const SOURCE_SYSTEM_COLUMN = '__source_system';

export interface CompiledViewSql {
  text: string;
  params: (string | number | boolean)[];
  columns: string[];
}

/** The marker a raised view error carries in Postgres's message. */
export const VIEW_ERROR_MARKER = 'view error: ';

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function compileViewToSql(plan: ViewPlan, source: ViewSource): CompiledViewSql {
  const params = new SqlParameters();
  const builder = new SelectBuilder(params);
  const root: SqlFocus = {
    collection: 'jsonb_build_array(r.content)',
    rowIndex: '0',
    resourceType: plan.resource,
  };
  // each where value computed once (a LATERAL), then tested: true keeps the row, empty or false drops it
  const whereValues = plan.where.map(({ path }, index) => `${builder.expression(path, root)} AS w${index}`);
  const where = plan.where.map(({ path, at }, index) => {
    const value = `wv.w${index}`;
    const raise = builder.raise(`${at}: where '${path}' must give a boolean, it gave `, value);
    return `(CASE WHEN ${value} = '[true]'::jsonb THEN true WHEN ${value} IN ('[]'::jsonb, '[false]'::jsonb) THEN false ELSE ${raise} > 0 END)`;
  });
  const rows = builder.select(plan.root, root, 'false');
  const columns = plan.root.outputs.map((column) => `v.${quoteIdentifier(column.name)}`);
  if (source.withCompartments) columns.push(`r.compartments AS ${quoteIdentifier(COMPARTMENTS_COLUMN)}`);
  if (source.withSourceSystem) columns.push(`r.source_system AS ${quoteIdentifier(SOURCE_SYSTEM_COLUMN)}`);
  const startsWith = source.columnStartsWith;
  if (startsWith && !plan.root.outputs.some((column) => column.name === startsWith.column))
    throw new Error(`The view has no column '${startsWith.column}' to select rows by`);
  const prefix = startsWith && params.bind(startsWith.prefix, 'text');
  const rowFilter = startsWith
    ? [`jsonb_typeof(v.${quoteIdentifier(startsWith.column)}) = 'string' AND left(v.${quoteIdentifier(startsWith.column)} #>> '{}', length(${prefix})) = ${prefix}`]
    : [];
  const text = `SELECT ${[...columns].join(', ') || '1'}
FROM ${source.schema ? `${quoteIdentifier(source.schema)}.` : ''}${quoteIdentifier(source.table)} r${whereValues.length ? `\nCROSS JOIN LATERAL (SELECT ${whereValues.join(', ')} OFFSET 0) wv` : ''}
CROSS JOIN LATERAL (${rows}) v
WHERE r.resource_type = ${params.bind(plan.resource, 'text')}${source.hasDeletedColumn ? ' AND NOT r.deleted' : ''}${[...where, ...rowFilter].map((condition) => `\n  AND ${condition}`).join('')}
ORDER BY r.resource_key, v.__ord`;
  return { text, params: params.values, columns: plan.root.outputs.map((column) => column.name) };
}

class SelectBuilder {
  private aliases = 0;
  private readonly fhirpath: FhirPathSqlCompiler;

  constructor(private readonly params: SqlParameters) {
    this.fhirpath = new FhirPathSqlCompiler(params);
  }

  expression(path: string, focus: SqlFocus): string {
    return this.fhirpath.compile(path, focus);
  }

  /** A SQL int expression that fails with the reason (and the offending value) when evaluated. */
  raise(reason: string, value: string): string {
    return `((${this.params.bind(VIEW_ERROR_MARKER + reason, 'text')} || (${value})::text)::int)`;
  }

  /**
   * A subquery giving a select's rows: one column per output, and `__ord`. `nothing` is SQL that is true when the
   * focus is a forEachOrNull's missing element (nested selects then give a null row rather than none).
   */
  select(select: PlannedSelect, focus: SqlFocus, nothing: string): string {
    const it = `it${this.aliases++}`;
    let from = '(SELECT 1) one';
    let inner: SqlFocus = focus;
    let innerNothing = nothing;
    let ord = `ARRAY[]::bigint[]`;
    const iteration = select.iteration;
    if (iteration) {
      const reached = iteration.paths.map((path) => this.expression(path, focus)).join(' || ');
      if (iteration.kind === 'forEach') {
        from = `jsonb_array_elements(${reached}) WITH ORDINALITY ${it}(v, i)`;
        inner = { collection: `jsonb_build_array(${it}.v)`, rowIndex: `(${it}.i - 1)` };
        innerNothing = 'false';
        ord = `ARRAY[${it}.i]`;
      } else if (iteration.kind === 'forEachOrNull') {
        from = `(SELECT 1) one LEFT JOIN LATERAL jsonb_array_elements(${reached}) WITH ORDINALITY ${it}(v, i) ON true`;
        inner = {
          collection: `(CASE WHEN ${it}.i IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(${it}.v) END)`,
          rowIndex: `coalesce(${it}.i - 1, 0)`,
        };
        innerNothing = `(${it}.i IS NULL)`;
        ord = `ARRAY[coalesce(${it}.i, 0)]`;
      } else {
        const step = (collection: string) =>
          iteration.paths
            .map((path) => this.expression(path, { collection, rowIndex: focus.rowIndex }))
            .join(' || ');
        from = `(WITH RECURSIVE walk(v, route) AS (
            SELECT e.v, ARRAY[e.i] FROM jsonb_array_elements(${reached}) WITH ORDINALITY e(v, i)
            UNION ALL
            SELECT e.v, w.route || e.i FROM walk w, jsonb_array_elements(${step('jsonb_build_array(w.v)')}) WITH ORDINALITY e(v, i))
          SELECT v, row_number() OVER (ORDER BY route) AS i FROM walk) ${it}`;
        inner = { collection: `jsonb_build_array(${it}.v)`, rowIndex: `(${it}.i - 1)` };
        innerNothing = 'false';
        ord = `ARRAY[${it}.i]`;
      }
    }
    // each column's value computed once (a LATERAL; OFFSET 0 keeps the planner from inlining it into each use)
    const values = `cv${this.aliases++}`;
    const outputs = select.columns.map(
      (column, index) => `${this.column(column, `${values}.c${index}`)} AS ${quoteIdentifier(column.name)}`,
    );
    const joins: string[] = select.columns.length
      ? [
          `CROSS JOIN LATERAL (SELECT ${select.columns
            .map((column, index) => `${this.expression(column.path, inner)} AS c${index}`)
            .join(', ')} OFFSET 0) ${values}`,
        ]
      : [];
    const filters: string[] = [];
    const ords = [ord];
    const join = (subquery: string, columns: PlannedColumn[]) => {
      const alias = `s${this.aliases++}`;
      joins.push(`LEFT JOIN LATERAL (${subquery}) ${alias} ON true`);
      filters.push(`(${alias}.__ord IS NOT NULL OR ${innerNothing})`);
      ords.push(`coalesce(${alias}.__ord, ARRAY[]::bigint[])`);
      columns.forEach((column) => outputs.push(`${alias}.${quoteIdentifier(column.name)}`));
    };
    select.selects.forEach((child) => join(this.select(child, inner, innerNothing), child.outputs));
    if (select.unionAll.length) {
      const branches = select.unionAll.map((branch, index) => {
        const names = branch.outputs.map((column) => `b.${quoteIdentifier(column.name)}`);
        return `SELECT ${[...names, `ARRAY[${index + 1}]::bigint[] || b.__ord AS __ord`].join(', ')} FROM (${this.select(branch, inner, innerNothing)}) b`;
      });
      join(branches.join(' UNION ALL '), select.unionAll[0].outputs);
    }
    outputs.push(`${ords.join(' || ')} AS __ord`);
    return `SELECT ${outputs.join(', ')} FROM ${from} ${joins.join(' ')}${filters.length ? ` WHERE ${filters.join(' AND ')}` : ''}`;
  }

  private column(column: PlannedColumn, value: string): string {
    if (column.collection) return value;
    const raise = this.raise(`${column.at}.path: column '${column.name}' gave several values: `, value);
    return `(CASE jsonb_array_length(${value}) WHEN 0 THEN NULL WHEN 1 THEN ${value} -> 0 ELSE to_jsonb(${raise}) END)`;
  }
}
