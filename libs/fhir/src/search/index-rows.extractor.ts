import type { Resource } from 'fhir/r4';
import {
  evaluate,
  evaluateNodes,
  evaluateOn,
  type EvaluateOptions,
  type PathValue,
} from './fhirpath.evaluator';
import { compileExpression } from './fhirpath.compiler';
import { foldText } from './fold-text';
import type { CompositeRow, CompositeValue, IndexRows } from './index-rows.types';
import { identifierCode, ofTypeCode, textCode, type IndexTable } from './index-rows.types';
import { searchParametersOf } from './search-parameter.registry';
import type { SearchParamDef, SearchParamType } from './search-parameter.types';
import {
  datesOf,
  numbersOf,
  quantitiesOf,
  referencesOf,
  stringsOf,
  tokensOf,
  urisOf,
  type TokenValue,
} from './value-normalisers';

/** Parameters searched on the `resource` row itself (id, last_updated), so they need no index rows. */
export const RESOURCE_ROW_PARAMS = new Set(['_id', '_lastUpdated']);

export function emptyIndexRows(): IndexRows {
  return { string: [], token: [], date: [], number: [], quantity: [], reference: [], uri: [], composite: [] };
}

export interface ExtractOptions extends EvaluateOptions {
  /** This server's base URL: absolute references to it index as local ones. */
  baseUrl?: string;
}

/**
 * Every search index value of a resource, for every R4 search parameter of its type: each parameter's expression
 * evaluated on the resource (compiled into a direct accessor once where it is a simple path, else by FHIRPath;
 * `compiled: false` uses FHIRPath throughout), then normalised by the parameter's type. Duplicate values of one
 * parameter are kept once.
 */
export function extractIndexRows(resource: Resource, options: ExtractOptions = {}): IndexRows {
  const extraction: Extraction = { rows: emptyIndexRows(), options };
  const { rows } = extraction;
  const present = presentElements(resource);
  for (const param of indexedParameters(resource.resourceType)) {
    if (param.rootElements && !anyPresent(param.rootElements, present)) continue;
    // Rows of different parameters never coincide (the code is part of every row): deduplicate this one's only.
    const [main, extra] = TABLES_WRITTEN[param.type];
    const mainStart = rows[main].length;
    const extraStart = extra ? rows[extra].length : 0;
    if (param.type === 'composite') rows.composite.push(...compositeRows(param, resource, extraction));
    else
      for (const value of evaluate(param.expression!, resource, options)) addValue(extraction, param, value);
    dedupeFrom(rows[main], mainStart);
    if (extra) dedupeFrom(rows[extra], extraStart);
  }
  return rows;
}

/** The tables a parameter's rows go to: its own, and the one for `:text`, `:of-type` or `:identifier` rows. */
const TABLES_WRITTEN: Record<SearchParamType, [IndexTable, IndexTable?]> = {
  string: ['string'],
  token: ['token', 'string'],
  date: ['date'],
  number: ['number'],
  quantity: ['quantity'],
  reference: ['reference', 'token'],
  uri: ['uri'],
  composite: ['composite'],
  special: ['uri'], // none: special parameters are not indexed
};

function anyPresent(elements: string[], present: Set<string>): boolean {
  for (const element of elements) if (present.has(element)) return true;
  return false;
}

/** One extraction: its rows, options, and what several parameters read (made when first needed). */
interface Extraction {
  rows: IndexRows;
  options: ExtractOptions;
  /**
   * Normalised values by the object they came from: an Observation's `code` is read by `code`, `combo-code` and
   * four composites, its `subject` by `subject` and `patient`. Primitives are not kept (cheap to normalise).
   */
  normalised?: Map<unknown, { type: string } & Partial<Normalised>>;
  /** Composite components' values by root node and expression (for the root's path). */
  components?: Map<unknown, Map<string, { path: string; values: PathValue[] }>>;
}

interface Normalised {
  tokens: ReturnType<typeof tokensOf>;
  quantities: ReturnType<typeof quantitiesOf>;
  references: ReturnType<typeof referencesOf>;
  dates: ReturnType<typeof datesOf>;
}

function memo<K extends keyof Normalised>(
  extraction: Extraction,
  kind: K,
  value: PathValue,
  normalise: (value: PathValue) => Normalised[K],
): Normalised[K] {
  if (typeof value.value !== 'object' || value.value === null) return normalise(value);
  const cache = (extraction.normalised ??= new Map());
  let entry = cache.get(value.value);
  if (!entry) cache.set(value.value, (entry = { type: value.type }));
  else if (entry.type !== value.type) return normalise(value);
  return (entry[kind] ??= normalise(value)) as Normalised[K];
}

/**
 * How the index parameters of a type are evaluated: `compiled` into direct accessors (fhirpath.compiler.ts, each
 * with FHIRPath as the fallback for input it cannot answer exactly), or by `fhirpath` throughout. Composites count
 * as compiled when their expression and both components are; those not indexed (three components, or not led by a
 * token) are left out.
 */
export function extractionPlan(resourceType: string): { compiled: string[]; fhirpath: string[] } {
  const plan = { compiled: [] as string[], fhirpath: [] as string[] };
  for (const param of indexedParameters(resourceType)) {
    const expressions = [param.expression!];
    if (param.type === 'composite') {
      if (!isIndexedComposite(param)) continue;
      expressions.push(...param.components.map((component) => component.expression));
    }
    const compiles = expressions.every((expression) => compileExpression(expression) !== undefined);
    (compiles ? plan.compiled : plan.fhirpath).push(param.code);
  }
  return plan;
}

function isIndexedComposite(param: SearchParamDef): boolean {
  return param.components.length === 2 && param.components[0].type === 'token';
}

const indexedByType = new Map<string, SearchParamDef[]>();

/**
 * The parameters of a type that have index rows: those with an expression, but `_id` and `_lastUpdated` (on the
 * resource row) and special ones (`near`: no index).
 */
function indexedParameters(resourceType: string): SearchParamDef[] {
  let params = indexedByType.get(resourceType);
  if (!params) {
    params = [...searchParametersOf(resourceType).values()].filter(
      (param) => param.expression && !RESOURCE_ROW_PARAMS.has(param.code) && param.type !== 'special',
    );
    indexedByType.set(resourceType, params);
  }
  return params;
}

/** Top-level element names of a resource, choice elements also by their stem (`effectiveDateTime` → `effective`). */
function presentElements(resource: Resource): Set<string> {
  const present = new Set<string>();
  for (const key of Object.keys(resource)) {
    let names = elementNames.get(key);
    if (!names) {
      const name = key.startsWith('_') ? key.slice(1) : key;
      names = [name, name.replace(/[A-Z].*$/, '')];
      if (elementNames.size < 10_000) elementNames.set(key, names);
    }
    present.add(names[0]);
    present.add(names[1]);
  }
  return present;
}

const elementNames = new Map<string, [string, string]>();

function addValue(extraction: Extraction, param: SearchParamDef, value: PathValue): void {
  const { rows, options } = extraction;
  const { code } = param;
  switch (param.type) {
    case 'string':
      for (const exact of stringsOf(value)) rows.string.push({ code, value: foldText(exact), exact });
      return;
    case 'token': {
      const { tokens, texts, ofType } = memo(extraction, 'tokens', value, tokensOf);
      for (const token of tokens) rows.token.push({ code, ...token });
      for (const token of ofType) rows.token.push({ code: ofTypeCode(code), ...token });
      for (const exact of texts) rows.string.push({ code: textCode(code), value: foldText(exact), exact });
      return;
    }
    case 'date':
      for (const interval of memo(extraction, 'dates', value, datesOf)) rows.date.push({ code, ...interval });
      return;
    case 'number':
      for (const number of numbersOf(value)) rows.number.push({ code, ...number });
      return;
    case 'quantity':
      for (const quantity of memo(extraction, 'quantities', value, quantitiesOf))
        rows.quantity.push({ code, ...quantity });
      return;
    case 'reference': {
      const { references, identifiers } = memo(extraction, 'references', value, (v) =>
        referencesOf(v, options.baseUrl),
      );
      for (const reference of references) rows.reference.push({ code, ...reference });
      for (const token of identifiers) rows.token.push({ code: identifierCode(code), ...token });
      return;
    }
    case 'uri':
      for (const uri of urisOf(value)) rows.uri.push({ code, value: uri });
      return;
  }
}

/**
 * Composite parameters as pairs: a token first component and a typed second one, taken from the same root node
 * (so `code-value-quantity` pairs each component's own code with its own value). Composites of three components
 * (MolecularSequence coordinates) or not led by a token are not indexed.
 */
function compositeRows(param: SearchParamDef, resource: Resource, extraction: Extraction): CompositeRow[] {
  const [first, second] = param.components;
  if (!isIndexedComposite(param) || !param.expression) return [];
  const { options } = extraction;
  const rows: CompositeRow[] = [];
  for (const root of evaluateNodes(param.expression, resource, options)) {
    const firsts: TokenValue[] = [];
    for (const value of componentValues(extraction, first.expression, root, resource))
      firsts.push(...memo(extraction, 'tokens', value, tokensOf).tokens);
    if (!firsts.length) continue;
    const seconds: CompositeValue[] = [];
    for (const value of componentValues(extraction, second.expression, root, resource))
      seconds.push(...compositeValues(second.type, value, extraction));
    for (const token of firsts)
      for (const value of seconds) rows.push({ code: param.code, ...token, second: value });
  }
  return rows;
}

/**
 * A component evaluated on a composite's root node, once per extraction: `code` on the Observation serves the four
 * `code-value-*` and two `combo-*` composites.
 */
function componentValues(
  extraction: Extraction,
  expression: string,
  root: { path: string; value: unknown },
  resource: Resource,
): PathValue[] {
  const { options } = extraction;
  if (typeof root.value !== 'object' || root.value === null)
    return evaluateOn(expression, root.path, root.value, resource, options);
  const components = (extraction.components ??= new Map());
  let byExpression = components.get(root.value);
  if (!byExpression) components.set(root.value, (byExpression = new Map()));
  const known = byExpression.get(expression);
  if (known?.path === root.path) return known.values;
  const values = evaluateOn(expression, root.path, root.value, resource, options);
  if (!known) byExpression.set(expression, { path: root.path, values });
  return values;
}

function compositeValues(type: string, value: PathValue, extraction: Extraction): CompositeValue[] {
  const { options } = extraction;
  switch (type) {
    case 'token':
      return memo(extraction, 'tokens', value, tokensOf).tokens.map((token) => ({ type: 'token', ...token }));
    case 'string':
      return stringsOf(value).map((text) => ({ type: 'string', value: foldText(text) }));
    case 'uri':
      return urisOf(value).map((uri) => ({ type: 'uri', value: uri }));
    case 'reference':
      return memo(extraction, 'references', value, (v) => referencesOf(v, options.baseUrl)).references.map(
        (ref) => ({
          type: 'reference',
          value: ref.targetType ? `${ref.targetType}/${ref.targetId}` : ref.targetId,
        }),
      );
    case 'number':
      return numbersOf(value).map((number) => ({ type: 'number', ...number }));
    case 'quantity':
      return memo(extraction, 'quantities', value, quantitiesOf).map(
        ({ low, high, system, unit, canonical }) => ({
          type: 'quantity',
          low,
          high,
          system,
          unit,
          ...(canonical && { canonical }),
        }),
      );
    case 'date':
      return memo(extraction, 'dates', value, datesOf).map((interval) => ({ type: 'date', ...interval }));
    default:
      return [];
  }
}

/** The row's values in order, nested ones flattened, joined by NUL. */
function rowKey(row: object): string {
  let key = '';
  let first = true;
  for (const name in row) {
    const value = (row as Record<string, unknown>)[name];
    key += first ? '' : '\u0000';
    key += typeof value === 'object' && value !== null ? rowKey(value) : String(value);
    first = false;
  }
  return key;
}

/** Removes the repeated rows of `list` from `start` on (same `rowKey`), keeping each first one in place. */
function dedupeFrom(list: object[], start: number): void {
  const count = list.length - start;
  if (count < 2) return;
  if (count === 2) {
    if (rowKey(list[start]) === rowKey(list[start + 1])) list.length = start + 1;
    return;
  }
  const seen = new Set<string>();
  let kept = start;
  for (let i = start; i < list.length; i++) {
    const key = rowKey(list[i]);
    if (seen.has(key)) continue;
    seen.add(key);
    list[kept++] = list[i];
  }
  list.length = kept;
}
