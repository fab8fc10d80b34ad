import * as fhirpath from 'fhirpath';
import * as r4Model from 'fhirpath/fhir-context/r4';
import type { Model } from 'fhirpath';
import { ViewDefinitionError } from './view-definition.error';
import type { ViewConstant } from './view-definition.types';

// FHIRPath as SQL on FHIR views use it. Constants are written into each expression as FHIRPath literals (so a date
// constant compares as a date, and the SQL compiler sees plain literals); %rowIndex is the one variable left, given
// at evaluation. getResourceKey() and getReferenceKey([type]) are the view functions the spec adds.

const model = r4Model as unknown as Model;

/** The variables an expression may name besides the view's constants. */
const BUILT_IN_VARIABLES = new Set([
  'rowIndex',
  'resource',
  'rootResource',
  'context',
  'ucum',
  'sct',
  'loinc',
]);

interface Ast {
  type: string;
  text?: string;
  start?: { line: number; column: number };
  children?: Ast[];
}

/** The FHIRPath literal of a constant's value, by its `value[x]` type. */
function literalOf(constant: ViewConstant, at: string): string {
  const values = Object.entries(constant).filter(([key]) => key.startsWith('value'));
  if (values.length !== 1)
    throw new ViewDefinitionError(
      at,
      `constant '${constant.name}' needs exactly one value[x], it has ${values.length}`,
    );
  const [key, value] = values[0];
  const type = key.substring('value'.length);
  const text = String(value);
  switch (type) {
    case 'Boolean':
      if (typeof value !== 'boolean') break;
      return String(value);
    case 'Integer':
    case 'PositiveInt':
    case 'UnsignedInt':
    case 'Integer64':
      if (!Number.isInteger(Number(value))) break;
      return `(${text})`;
    case 'Decimal':
      if (!Number.isFinite(Number(value))) break;
      return `(${/[.eE]/.test(text) ? text : `${text}.0`})`;
    case 'Date':
      return `@${text}`;
    case 'DateTime':
      return `@${text.includes('T') ? text : `${text}T`}`;
    case 'Instant':
      return `@${text}`;
    case 'Time':
      return `@T${text}`;
    default:
      if (typeof value !== 'string') break;
      return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
  throw new ViewDefinitionError(at, `constant '${constant.name}' has an invalid ${key}`);
}

/** The literal of each constant, by name (a constant with no value, or two, is an error naming its path). */
export function constantLiterals(constants: ViewConstant[] | undefined): Map<string, string> {
  const literals = new Map<string, string>();
  (constants ?? []).forEach((constant, index) => {
    const at = `constant[${index}]`;
    if (typeof constant?.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(constant.name))
      throw new ViewDefinitionError(
        `${at}.name`,
        'a constant needs a name of letters, digits and underscores',
      );
    if (literals.has(constant.name))
      throw new ViewDefinitionError(`${at}.name`, `duplicate constant '${constant.name}'`);
    literals.set(constant.name, literalOf(constant, at));
  });
  return literals;
}

function parse(expression: string, at: string): Ast {
  try {
    return fhirpath.parse(expression) as Ast;
  } catch (error) {
    throw new ViewDefinitionError(
      at,
      `invalid FHIRPath '${expression}': ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

function constantTerms(ast: Ast, found: Ast[] = []): Ast[] {
  if (ast.type === 'ExternalConstantTerm') found.push(ast);
  ast.children?.forEach((child) => constantTerms(child, found));
  return found;
}

/**
 * The expression with each view constant replaced by its literal: checks the syntax and that every `%name` is a
 * declared constant or a built-in variable (an error naming `at` otherwise).
 */
export function withConstants(expression: unknown, at: string, literals: Map<string, string>): string {
  if (typeof expression !== 'string' || expression.trim() === '')
    throw new ViewDefinitionError(at, 'must be a FHIRPath expression (a non-empty string)');
  const lineStarts = [0];
  for (let i = 0; i < expression.length; i++) if (expression[i] === '\n') lineStarts.push(i + 1);
  const replacements: { offset: number; length: number; literal: string }[] = [];
  for (const term of constantTerms(parse(expression, at))) {
    const offset = lineStarts[(term.start?.line ?? 1) - 1] + (term.start?.column ?? 1) - 1;
    const match = /^%(`[^`]*`|'[^']*'|[A-Za-z_][A-Za-z0-9_]*)/.exec(expression.substring(offset));
    if (!match)
      throw new ViewDefinitionError(at, `cannot read the variable at offset ${offset} of '${expression}'`);
    const name = match[1].replace(/^[`']|[`']$/g, '');
    const literal = literals.get(name);
    if (literal !== undefined) replacements.push({ offset, length: match[0].length, literal });
    else if (!BUILT_IN_VARIABLES.has(name)) throw new ViewDefinitionError(at, `undefined constant %${name}`);
  }
  return replacements
    .sort((a, b) => b.offset - a.offset)
    .reduce(
      (text, r) => text.substring(0, r.offset) + r.literal + text.substring(r.offset + r.length),
      expression,
    );
}

/** What a compiled expression is evaluated on: a resource, or an element fhirpath.js returned (a ResourceNode). */
export type FhirPathInput = unknown;

/** A compiled expression: input and %rowIndex in, fhirpath.js's nodes out (resolve them with `valuesOf`). */
export type FhirPathFunction = (input: FhirPathInput, rowIndex: number) => unknown[];

/** The JSON of whatever a node holds (fhirpath.js hands user functions either nodes or plain values). */
const jsonOf = (item: unknown): unknown =>
  item && typeof item === 'object' && 'data' in item ? (item as { data: unknown }).data : item;

/** The id part of a reference (`Patient/1`, `http://x/fhir/Patient/1/_history/2`), when its type matches. */
export function referenceKey(reference: string, type?: string): string | undefined {
  const parts = reference.split('/');
  const history = parts.lastIndexOf('_history');
  const [resourceType, id] = (history > 0 ? parts.slice(0, history) : parts).slice(-2);
  if (!id || !resourceType || (type && type !== resourceType)) return undefined;
  return id;
}

const viewFunctions = {
  // SQL on FHIR's join: an empty collection joins to '' (fhirpath.js 5.2 answers empty).
  join: {
    fn: (inputs: unknown[], separator?: string) => [
      inputs.map((item) => String(jsonOf(item))).join(separator ?? ''),
    ],
    arity: { 0: [], 1: ['String'] },
  },
  getResourceKey: {
    fn: (inputs: unknown[]) =>
      inputs.flatMap((item) => {
        const id = (jsonOf(item) as { id?: unknown } | undefined)?.id;
        return typeof id === 'string' ? [id] : [];
      }),
    arity: { 0: [] },
  },
  getReferenceKey: {
    fn: (inputs: unknown[], type?: { name?: string }) =>
      inputs.flatMap((item) => {
        const reference = (jsonOf(item) as { reference?: unknown } | undefined)?.reference;
        const key = typeof reference === 'string' ? referenceKey(reference, type?.name) : undefined;
        return key === undefined ? [] : [key];
      }),
    arity: { 0: [], 1: ['TypeSpecifier'] },
  },
};

/** Compiles an expression (constants already written in) against the R4 model, with the view functions. */
export function compileFhirPath(expression: string, at: string): FhirPathFunction {
  try {
    const compiled = fhirpath.compile(expression, model, {
      resolveInternalTypes: false,
      userInvocationTable: viewFunctions,
    } as fhirpath.Options) as unknown as (input: unknown, env: Record<string, unknown>) => unknown[];
    return (input, rowIndex) => {
      try {
        return compiled(input, { rowIndex });
      } catch (error) {
        throw new ViewDefinitionError(at, `cannot evaluate '${expression}': ${(error as Error).message}`);
      }
    };
  } catch (error) {
    if (error instanceof ViewDefinitionError) throw error;
    throw new ViewDefinitionError(
      at,
      `invalid FHIRPath '${expression}': ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

/** fhirpath.js's nodes as JSON values (dates and times as their ISO 8601 strings). */
export function valuesOf(nodes: unknown[]): unknown[] {
  return fhirpath.resolveInternalTypes(nodes) as unknown[];
}
