import * as fhirpath from 'fhirpath';
import * as r4Model from 'fhirpath/fhir-context/r4';
import type { Model } from 'fhirpath';

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

function toPathValue(raw: unknown): PathValue | undefined {
  if (isNode(raw)) {
    const type = (raw.fhirNodeDataType ?? raw.path ?? '').replace(/^(System|FHIR)\./, '');
    return raw.data === undefined || raw.data === null ? undefined : { type, value: unwrapDecimal(raw.data) };
  }
  if (raw === undefined || raw === null) return undefined;
  // Plain values come from operators and functions (`exists() and ...`), or internal types (dates) printed as text.
  if (typeof raw === 'boolean') return { type: 'boolean', value: raw };
  if (typeof raw === 'number') return { type: 'decimal', value: raw };
  return { type: 'string', value: String(raw) };
}

/** Evaluates an expression on a resource. */
export function evaluate(expression: string, resource: object): PathValue[] {
  return collect(evaluatorFor(expression)(resource, { resource }));
}

/**
 * Evaluates a component expression of a composite parameter on one node found by the composite's own expression.
 * `base` is that node's FHIR path type (e.g. `Observation.component`), so choice elements resolve correctly.
 */
export function evaluateOn(expression: string, base: string, node: unknown, resource: object): PathValue[] {
  return collect(evaluatorFor(expression, base)(node, { resource }));
}

/** Like `evaluate`, but keeps fhirpath.js's nodes, for composite roots whose components are evaluated next. */
export function evaluateNodes(expression: string, resource: object): { path: string; value: unknown }[] {
  return evaluatorFor(expression)(resource, { resource }).flatMap((raw) =>
    isNode(raw) ? [{ path: nodePath(raw), value: raw.data }] : [],
  );
}

function nodePath(node: NodeLike): string {
  return node.path ?? '';
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

function collect(raw: unknown[]): PathValue[] {
  const values: PathValue[] = [];
  for (const item of raw) {
    const value = toPathValue(item);
    if (value) values.push(value);
  }
  return values;
}
