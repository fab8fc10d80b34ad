import { ViewDefinitionError } from './view-definition.error';
import type { ViewColumnInfo, ViewDefinition, ViewSelect } from './view-definition.types';
import { constantLiterals, withConstants } from './view-fhirpath';

// A ViewDefinition checked once and turned into a plan both engines run: the in-memory evaluator
// (view-definition.evaluator.ts) and the SQL compiler in the store. Every expression in the plan has the view's
// constants written in as literals. Problems are ViewDefinitionErrors naming the path into the view.

export type IterationKind = 'forEach' | 'forEachOrNull' | 'repeat';

export interface PlannedColumn {
  name: string;
  path: string;
  collection: boolean;
  type?: string;
  /** Where the column is in the view (`select[0].column[1]`), for errors found while running. */
  at: string;
}

export interface PlannedSelect {
  at: string;
  iteration?: { kind: IterationKind; paths: string[] };
  columns: PlannedColumn[];
  selects: PlannedSelect[];
  unionAll: PlannedSelect[];
  /** Every column this select outputs, in output order: its own, its selects', its unionAll's. */
  outputs: PlannedColumn[];
}

export interface ViewPlan {
  resource: string;
  /** Each `where` expression, with its path into the view. */
  where: { path: string; at: string }[];
  /** The root: the view's own selects, evaluated on the resource. */
  root: PlannedSelect;
  columns: ViewColumnInfo[];
}

const COLUMN_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const RESOURCE_TYPE = /^[A-Z][A-Za-z]+$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function arrayAt(value: unknown, at: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ViewDefinitionError(at, 'must be an array');
  return value;
}

/** Checks a ViewDefinition (as parsed JSON) and plans it; throws a ViewDefinitionError naming the path. */
export function planView(input: unknown): ViewPlan {
  if (!isObject(input)) throw new ViewDefinitionError('ViewDefinition', 'must be a JSON object');
  const view = input as unknown as ViewDefinition;
  if (typeof view.resource !== 'string' || !RESOURCE_TYPE.test(view.resource))
    throw new ViewDefinitionError('resource', 'a ViewDefinition needs the FHIR resource type it reads');
  const selects = arrayAt(view.select, 'select');
  if (selects.length === 0)
    throw new ViewDefinitionError('select', 'a ViewDefinition needs at least one select');
  const literals = constantLiterals(arrayAt(view.constant, 'constant') as ViewDefinition['constant']);
  const where = arrayAt(view.where, 'where').map((entry, index) => {
    const at = `where[${index}].path`;
    if (!isObject(entry)) throw new ViewDefinitionError(`where[${index}]`, 'must be an object with a path');
    return { path: withConstants(entry.path, at, literals), at };
  });
  const root = planSelect({ select: selects as ViewSelect[] }, '', literals);
  const seen = new Map<string, string>();
  for (const column of root.outputs) {
    const first = seen.get(column.name);
    if (first)
      throw new ViewDefinitionError(
        `${column.at}.name`,
        `duplicate column '${column.name}' (first at ${first})`,
      );
    seen.set(column.name, column.at);
  }
  return {
    resource: view.resource,
    where,
    root,
    columns: root.outputs.map(({ name, type, collection }) => ({ name, type, collection })),
  };
}

function planSelect(select: unknown, at: string, literals: Map<string, string>): PlannedSelect {
  const prefix = at ? `${at}.` : '';
  if (!isObject(select)) throw new ViewDefinitionError(at || 'select', 'must be an object');
  const kinds = (['forEach', 'forEachOrNull', 'repeat'] as const).filter(
    (kind) => select[kind] !== undefined,
  );
  if (kinds.length > 1)
    throw new ViewDefinitionError(
      at,
      `a select may have only one of forEach, forEachOrNull and repeat (has ${kinds.join(', ')})`,
    );
  let iteration: PlannedSelect['iteration'];
  if (kinds.length === 1) {
    const kind = kinds[0];
    const raw = select[kind];
    if (kind === 'repeat') {
      const paths = arrayAt(raw, `${prefix}repeat`);
      if (paths.length === 0) throw new ViewDefinitionError(`${prefix}repeat`, 'needs at least one path');
      iteration = {
        kind,
        paths: paths.map((path, i) => withConstants(path, `${prefix}repeat[${i}]`, literals)),
      };
    } else iteration = { kind, paths: [withConstants(raw, `${prefix}${kind}`, literals)] };
  }
  const columns = arrayAt(select.column, `${prefix}column`).map((column, index) =>
    planColumn(column, `${prefix}column[${index}]`, literals),
  );
  const selects = arrayAt(select.select, `${prefix}select`).map((child, index) =>
    planSelect(child, `${prefix}select[${index}]`, literals),
  );
  const unionAll = arrayAt(select.unionAll, `${prefix}unionAll`).map((child, index) =>
    planSelect(child, `${prefix}unionAll[${index}]`, literals),
  );
  if (at && columns.length === 0 && selects.length === 0 && unionAll.length === 0)
    throw new ViewDefinitionError(at, 'a select needs a column, a select or a unionAll');
  const names = (branch: PlannedSelect) => branch.outputs.map((column) => column.name).join(', ');
  unionAll.forEach((branch, index) => {
    if (names(branch) !== names(unionAll[0]))
      throw new ViewDefinitionError(
        `${prefix}unionAll[${index}]`,
        `every unionAll branch must have the same columns in the same order: (${names(branch)}) is not (${names(unionAll[0])})`,
      );
  });
  return {
    at,
    iteration,
    columns,
    selects,
    unionAll,
    outputs: [...columns, ...selects.flatMap((child) => child.outputs), ...(unionAll[0]?.outputs ?? [])],
  };
}

function planColumn(column: unknown, at: string, literals: Map<string, string>): PlannedColumn {
  if (!isObject(column)) throw new ViewDefinitionError(at, 'must be an object with a name and a path');
  if (typeof column.name !== 'string' || !COLUMN_NAME.test(column.name))
    throw new ViewDefinitionError(
      `${at}.name`,
      `column name '${String(column.name)}' must start with a letter and hold only letters, digits and underscores`,
    );
  if (column.collection !== undefined && typeof column.collection !== 'boolean')
    throw new ViewDefinitionError(`${at}.collection`, 'must be true or false');
  if (column.type !== undefined && typeof column.type !== 'string')
    throw new ViewDefinitionError(`${at}.type`, 'must be a FHIR type name');
  return {
    name: column.name,
    path: withConstants(column.path, `${at}.path`, literals),
    collection: column.collection === true,
    type: column.type as string | undefined,
    at,
  };
}
