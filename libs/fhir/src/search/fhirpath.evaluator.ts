import * as fhirpath from 'fhirpath';
import * as r4Model from 'fhirpath/fhir-context/r4';
import type { Model } from 'fhirpath';
import { compileExpression } from './fhirpath.compiler';
import type { PathNode } from './fhirpath-nodes';

/** One value found by a FHIRPath expression, with its FHIR type (`CodeableConcept`, `dateTime`, `boolean`, ...). */
export interface PathValue {
  type: string;
  value: unknown;
}

type Evaluator = (input: unknown, env?: Record<string, unknown>) => unknown[];

const model = r4Model as unknown as Model;
const cache = new Map<string, Evaluator>();

/**
 * Compiles (once, cached by base and expression) and returns an evaluator. Results keep fhirpath.js's internal nodes
 * so that every value carries its FHIR type, which tells the extractor how to read it (Period vs dateTime, Coding
 * vs CodeableConcept...).
 */
function evaluatorFor(expression: string, base?: string): Evaluator {
  const key = base ? `${base}\u0000${expression}` : expression;
  let evaluator = cache.get(key);
  if (!evaluator) {
    const compiled = fhirpath.compile(base ? { base, expression } : expression, model, {
      resolveInternalTypes: false,
    });
    evaluator = (input, env) => compiled(input, env) as unknown[];
    cache.set(key, evaluator);
  }
  return evaluator;
}

interface NodeLike {
  fhirNodeDataType?: string | null;
  path?: string | null;
  data: unknown;
}

function isNode(value: unknown): value is NodeLike {
  return typeof value === 'object' && value !== null && 'data' in value && 'parentResNode' in value;
}

/** A node's FHIR type as the normalisers read it: the model's type, else its path, without a namespace. */
function typeOf(fhirNodeDataType: string | null | undefined, path: string | null | undefined): string {
  const type = fhirNodeDataType ?? path ?? '';
  return type.startsWith('System.') || type.startsWith('FHIR.') ? type.replace(/^(System|FHIR)\./, '') : type;
}

function toPathValue(raw: unknown): PathValue | undefined {
  if (isNode(raw)) {
    const type = typeOf(raw.fhirNodeDataType, raw.path);
    return raw.data === undefined || raw.data === null ? undefined : { type, value: unwrapDecimal(raw.data) };
  }
  if (raw === undefined || raw === null) return undefined;
  // Plain values come from operators and functions (`exists() and ...`), or internal types (dates) printed as text.
  if (typeof raw === 'boolean') return { type: 'boolean', value: raw };
  if (typeof raw === 'number') return { type: 'decimal', value: raw };
  return { type: 'string', value: String(raw) };
}

/**
 * How to evaluate: by default through the compiled accessor where the expression compiles (fhirpath.compiler.ts),
 * falling back to fhirpath.js for the rest and for input the accessor cannot answer exactly; `compiled: false`
 * always uses fhirpath.js (the reference the compiled path is tested against).
 */
export interface EvaluateOptions {
  compiled?: boolean;
}

function compiled(expression: string, options?: EvaluateOptions) {
  return options?.compiled === false ? undefined : compileExpression(expression);
}

/** Evaluates an expression on a resource. */
export function evaluate(expression: string, resource: object, options?: EvaluateOptions): PathValue[] {
  const nodes = compiled(expression, options)?.onResource(resource);
  return nodes ? fromNodes(nodes) : collect(evaluatorFor(expression)(resource, { resource }));
}

/**
 * Evaluates a component expression of a composite parameter on one node found by the composite's own expression.
 * `base` is that node's FHIR path type (e.g. `Observation.component`), so choice elements resolve correctly.
 */
export function evaluateOn(
  expression: string,
  base: string,
  node: unknown,
  resource: object,
  options?: EvaluateOptions,
): PathValue[] {
  const nodes = compiled(expression, options)?.onNode(node, base);
  return nodes ? fromNodes(nodes) : collect(evaluatorFor(expression, base)(node, { resource }));
}

/** Like `evaluate`, but keeps fhirpath.js's nodes, for composite roots whose components are evaluated next. */
export function evaluateNodes(
  expression: string,
  resource: object,
  options?: EvaluateOptions,
): { path: string; value: unknown }[] {
  const nodes = compiled(expression, options)?.onResource(resource);
  if (nodes) return nodes.map((node) => ({ path: node.path ?? '', value: node.data }));
  return evaluatorFor(expression)(resource, { resource }).flatMap((raw) =>
    isNode(raw) ? [{ path: raw.path ?? '', value: raw.data }] : [],
  );
}

/** Primitive decimals come wrapped (FP_Decimal) to keep their precision; the index wants the number. */
function unwrapDecimal(data: unknown): unknown {
  if (
    typeof data === 'object' &&
    data !== null &&
    'toNumber' in data &&
    typeof data.toNumber === 'function'
  ) {
    return (data as { toNumber: () => number }).toNumber();
  }
  return data;
}

/** Compiled nodes as values: the same types and values `toPathValue` gives for fhirpath.js's nodes. */
function fromNodes(nodes: PathNode[]): PathValue[] {
  const values: PathValue[] = [];
  for (const node of nodes)
    if (node.data !== undefined && node.data !== null)
      values.push({ type: typeOf(node.type, node.path), value: node.data });
  return values;
}

function collect(raw: unknown[]): PathValue[] {
  const values: PathValue[] = [];
  for (const item of raw) {
    const value = toPathValue(item);
    if (value) values.push(value);
  }
  return values;
}
