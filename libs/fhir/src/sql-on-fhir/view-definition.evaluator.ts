import { ViewDefinitionError } from './view-definition.error';
import { planView, type PlannedColumn, type PlannedSelect, type ViewPlan } from './view-definition.plan';
import type { ViewColumnInfo, ViewRow } from './view-definition.types';
import { compileFhirPath, valuesOf, type FhirPathFunction, type FhirPathInput } from './view-fhirpath';

// The in-memory SQL on FHIR v2 engine: a resource in, its rows out. Each select's rows are the product of its own
// columns, each nested select's rows and the concatenation of its unionAll branches, once per element its forEach,
// forEachOrNull or repeat reaches (%rowIndex is that element's index; it is inherited where a select iterates over
// nothing). The SQL compiler in the store produces the same rows; the suite runner checks both.

/** A planned view ready to run over resources (FHIRPath compiled once). */
export class ViewEvaluator {
  readonly plan: ViewPlan;
  private readonly compiled = new Map<string, FhirPathFunction>();

  constructor(view: unknown) {
    this.plan = planView(view);
    this.plan.where.forEach(({ path, at }) => this.compile(path, at));
    this.compileSelect(this.plan.root);
  }

  get resourceType(): string {
    return this.plan.resource;
  }

  get columns(): ViewColumnInfo[] {
    return this.plan.columns;
  }

  /** The rows of one resource (none when it is of another type or a `where` leaves it out). */
  rows(resource: { resourceType?: string }): ViewRow[] {
    if (resource.resourceType !== this.plan.resource) return [];
    for (const { path, at } of this.plan.where) if (!this.holds(path, at, resource)) return [];
    return this.selectRows(this.plan.root, resource, 0);
  }

  /** The rows of many resources, streamed. */
  *run(resources: Iterable<{ resourceType?: string }>): Generator<ViewRow> {
    for (const resource of resources) yield* this.rows(resource);
  }

  private holds(path: string, at: string, resource: object): boolean {
    const values = valuesOf(this.fn(path)(resource, 0));
    if (values.length === 0) return false;
    if (values.length > 1 || typeof values[0] !== 'boolean')
      throw new ViewDefinitionError(
        at,
        `where '${path}' must give a boolean, it gave ${JSON.stringify(values)}`,
      );
    return values[0];
  }

  private selectRows(select: PlannedSelect, node: FhirPathInput, rowIndex: number): ViewRow[] {
    const foci = this.foci(select, node, rowIndex);
    if (foci === undefined) return this.rowsAt(select, node, rowIndex);
    // forEachOrNull over nothing: one row, its columns evaluated on nothing (null, but %rowIndex is 0)
    if (foci.length === 0)
      return select.iteration?.kind === 'forEachOrNull' ? this.rowsAt(select, NOTHING, 0) : [];
    return foci.flatMap((focus, index) => this.rowsAt(select, focus, index));
  }

  /** What a select iterates over (undefined when it does not iterate). */
  private foci(select: PlannedSelect, node: FhirPathInput, rowIndex: number): unknown[] | undefined {
    const iteration = select.iteration;
    if (!iteration) return undefined;
    const [path] = iteration.paths;
    if (iteration.kind !== 'repeat') return this.fn(path)(node, rowIndex);
    const found: unknown[] = [];
    const descend = (from: unknown) => {
      for (const step of iteration.paths)
        for (const child of this.fn(step)(from, rowIndex)) {
          found.push(child);
          descend(child);
        }
    };
    descend(node);
    return found;
  }

  private rowsAt(select: PlannedSelect, focus: unknown, rowIndex: number): ViewRow[] {
    const own: ViewRow = {};
    for (const column of select.columns) own[column.name] = this.columnValue(column, focus, rowIndex);
    let rows: ViewRow[] = [own];
    const orNull = (found: ViewRow[], columns: PlannedColumn[]) =>
      found.length === 0 && focus === NOTHING ? [nullRow(columns)] : found;
    for (const child of select.selects)
      rows = product(rows, orNull(this.selectRows(child, focus, rowIndex), child.outputs));
    if (select.unionAll.length) {
      const branches = select.unionAll.flatMap((branch) => this.selectRows(branch, focus, rowIndex));
      rows = product(rows, orNull(branches, select.unionAll[0].outputs));
    }
    return rows;
  }

  private columnValue(column: PlannedColumn, focus: unknown, rowIndex: number): unknown {
    const values = valuesOf(this.fn(column.path)(focus, rowIndex));
    if (column.collection) return values;
    if (values.length > 1)
      throw new ViewDefinitionError(
        `${column.at}.path`,
        `column '${column.name}' gave ${values.length} values; mark it collection: true or narrow its path`,
      );
    return values.length ? values[0] : null;
  }

  private compileSelect(select: PlannedSelect): void {
    select.iteration?.paths.forEach((path, index) =>
      this.compile(
        path,
        `${select.at}.${select.iteration?.kind}${select.iteration?.kind === 'repeat' ? `[${index}]` : ''}`,
      ),
    );
    select.columns.forEach((column) => this.compile(column.path, `${column.at}.path`));
    [...select.selects, ...select.unionAll].forEach((child) => this.compileSelect(child));
  }

  private compile(path: string, at: string): void {
    if (!this.compiled.has(path)) this.compiled.set(path, compileFhirPath(path, at));
  }

  private fn(path: string): FhirPathFunction {
    return this.compiled.get(path) as FhirPathFunction;
  }
}

/** The focus of a forEachOrNull that found nothing: every path on it is empty. */
const NOTHING: unknown[] = [];

function nullRow(columns: PlannedColumn[]): ViewRow {
  return Object.fromEntries(columns.map((column) => [column.name, null]));
}

function product(left: ViewRow[], right: ViewRow[]): ViewRow[] {
  return left.flatMap((a) => right.map((b) => ({ ...a, ...b })));
}
