import * as fhirpath from 'fhirpath';
import { DATE_PATHS, distinctKeepsAll } from './fhirpath-distinct';
import {
  baseNode,
  childStep,
  isObject,
  isOfType,
  isTypeOf,
  model,
  resourceNode,
  type PathNode,
} from './fhirpath-nodes';

// Search parameter expressions compiled into direct accessors. Most R4 expressions are paths (`Patient.name`),
// choices narrowed by type (`Observation.effective.ofType(Period)`), unions, `where(system = 'phone')` filters and
// the reference-type tests `resolve() is X` becomes (fhirpath-expression.ts). Those compile, from fhirpath.js's own
// parse tree, into closures over plain arrays of nodes that follow fhirpath.js 5.2's rules step by step
// (fhirpath-nodes.ts); any other expression does not compile and is evaluated by fhirpath.js. A compiled accessor
// answers `undefined` for input it cannot answer exactly as fhirpath.js would (a malformed element, a union whose
// duplicates fhirpath.js would judge by FHIRPath equality): the caller then evaluates that input with fhirpath.js.

/** Nodes in, nodes out; undefined: this input needs fhirpath.js. */
type Step = (input: PathNode[]) => PathNode[] | undefined;

/** A compiled expression: evaluate on a resource, or on a node found by a composite's own expression. */
export interface CompiledExpression {
  onResource(resource: object): PathNode[] | undefined;
  onNode(data: unknown, base: string): PathNode[] | undefined;
}

interface Ast {
  type: string;
  text?: string;
  atRoot?: number;
  children?: Ast[];
}

const compiledCache = new Map<string, CompiledExpression | null>();

/** The compiled form of an expression (cached), or undefined when it needs fhirpath.js. */
export function compileExpression(expression: string): CompiledExpression | undefined {
  let compiled = compiledCache.get(expression);
  if (compiled === undefined) {
    const step = parsed(expression);
    compiled = step
      ? {
          onResource: (resource) => step([resourceNode(resource)]),
          onNode: (data, base) =>
            base === '' ? undefined : data === null || data === undefined ? [] : step([baseNode(data, base)]),
        }
      : null;
    compiledCache.set(expression, compiled);
  }
  return compiled ?? undefined;
}

function parsed(expression: string): Step | undefined {
  try {
    return compileAst(fhirpath.parse(expression) as Ast);
  } catch {
    return undefined; // fhirpath.js reports the syntax error when it evaluates the expression
  }
}

function compileAst(ast: Ast): Step | undefined {
  const [first, second] = ast.children ?? [];
  switch (ast.type) {
    case 'EntireExpression':
    case 'TermExpression':
    case 'InvocationTerm':
    case 'ParenthesizedTerm':
      return ast.children?.length === 1 ? compileAst(first) : undefined;
    case 'MemberInvocation':
      return memberStep(ast);
    case 'InvocationExpression':
      return pipe(compileAst(first), invocationStep(second));
    case 'IndexerExpression':
      return pipe(compileAst(first), indexStep(second));
    case 'UnionExpression':
      return unionStep(unionTerms(ast).map(compileAst));
    default:
      return undefined;
  }
}

function pipe(left: Step | undefined, right: Step | undefined): Step | undefined {
  if (!left || !right) return undefined;
  return (input) => {
    const middle = left(input);
    return middle && right(middle);
  };
}

/** What follows a `.`: a member or one of the functions compiled here. */
function invocationStep(ast: Ast | undefined): Step | undefined {
  if (ast?.type === 'MemberInvocation') return memberStep(ast);
  if (ast?.type !== 'FunctionInvocation') return undefined;
  const [name, params] = ast.children?.[0]?.children ?? [];
  const args = params?.children ?? [];
  if (name?.text === 'ofType' && args.length === 1) return ofTypeStep(args[0]);
  if (name?.text === 'where' && args.length === 1) return whereStep(args[0]);
  return undefined;
}

/**
 * `name`: children named `name`. At the start of the expression (`atRoot`), fhirpath.js first lets `Observation`
 * mean the resource itself (its `resourceType`, or its type or a supertype); inside `where(...)` the root test only
 * applies to the evaluation's root node, which a compiled `where` never sees (it always follows a member step).
 */
function memberStep(ast: Ast): Step | undefined {
  const name = identifier(ast);
  if (!name) return undefined;
  const children = childStep(name);
  if (ast.atRoot !== 1) return children;
  const isNamedType = perType((type) => isTypeOf(type, name));
  return (input) => {
    const out: PathNode[] = [];
    for (const node of input) {
      if (isObject(node.data) && node.data.resourceType === name) {
        out.push(node);
        continue;
      }
      const is = isNamedType(node.type);
      if (is === undefined) return undefined;
      if (is) {
        out.push(node);
        continue;
      }
      const found = children([node]);
      if (!found) return undefined;
      out.push(...found);
    }
    return out;
  };
}

/** A test of a node type, remembered per type (model types, or the types of contained resources). */
function perType<T>(test: (type: string | null) => T): (type: string | null) => T {
  const known = new Map<string | null, T>();
  return (type) => {
    if (known.has(type)) return known.get(type) as T;
    const result = test(type);
    if (known.size < 1000) known.set(type, result);
    return result;
  };
}

function identifier(ast: Ast): string | undefined {
  const text = ast.children?.[0]?.type === 'Identifier' ? ast.children[0].text : undefined;
  return text && /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? text : undefined;
}

/** `[n]` with a literal n. */
function indexStep(ast: Ast | undefined): Step | undefined {
  const literal = literalOf(ast);
  if (literal?.type !== 'NumberLiteral' || !/^\d+$/.test(literal.text ?? '')) return undefined;
  const index = Number(literal.text);
  return (input) => (index < input.length ? [input[index]] : []);
}

/** `ofType(T)` for a FHIR type T (a type fhirpath.js would not know fails to compile, as it fails to evaluate). */
function ofTypeStep(ast: Ast): Step | undefined {
  const target = typeName(ast);
  if (!target || !model.availableTypes.has(target)) return undefined;
  const isTarget = perType((type) => isOfType(type, target));
  return (input) => {
    const out: PathNode[] = [];
    for (const node of input) {
      const keep = isTarget(node.type);
      if (keep === undefined) return undefined;
      if (keep) out.push(node);
    }
    return out;
  };
}

function typeName(ast: Ast): string | undefined {
  let node: Ast | undefined = ast;
  while (node && (node.type === 'TermExpression' || node.type === 'InvocationTerm'))
    node = node.children?.[0];
  return node?.type === 'MemberInvocation' ? identifier(node) : undefined;
}

/**
 * `a | b | c`: every term on the same input, then fhirpath.js's `distinct` by FHIRPath equality, whose effect on
 * index rows is nil unless values are equal only by FHIRPath's looser rules (fhirpath-distinct.ts): then fhirpath.js.
 * fhirpath.js applies `distinct` at each `|`; when no two values of the whole are loosely equal, none of a part are
 * either, so one check of the whole decides.
 */
function unionStep(terms: (Step | undefined)[]): Step | undefined {
  if (!terms.every((term) => term !== undefined)) return undefined;
  const steps = terms as Step[];
  return (input) => {
    let all: PathNode[] = [];
    for (const step of steps) {
      const nodes = step(input);
      if (!nodes) return undefined;
      if (nodes.length) all = all.length ? [...all, ...nodes] : nodes;
    }
    return distinctKeepsAll(all) ? all : undefined;
  };
}

/** The terms of nested unions, left to right (`(a | b) | c` parses as a union inside a union). */
function unionTerms(ast: Ast): Ast[] {
  return ast.type === 'UnionExpression' ? (ast.children ?? []).flatMap(unionTerms) : [ast];
}

/** Three-valued FHIRPath boolean (true, false, empty), or undefined: this input needs fhirpath.js. */
type Truth = true | false | 'empty' | undefined;
type Criterion = (node: PathNode) => Truth;

/** `where(criterion)`: the nodes for which the criterion is true (false and empty drop the node). */
function whereStep(ast: Ast): Step | undefined {
  const criterion = compileCriterion(ast);
  if (!criterion) return undefined;
  return (input) => {
    const out: PathNode[] = [];
    for (const node of input) {
      const truth = criterion(node);
      if (truth === undefined) return undefined;
      if (truth === true) out.push(node);
    }
    return out;
  };
}

/**
 * The criteria search parameters use: `field = 'text'`, `field.matches('regex')` and `or` of those, over string
 * fields. Anything unusual at run time (a field repeated, a non-string, a date compared as a date) goes to fhirpath.js.
 */
function compileCriterion(ast: Ast): Criterion | undefined {
  const [first, second] = ast.children ?? [];
  switch (ast.type) {
    case 'OrExpression': {
      const left = compileCriterion(first);
      const right = compileCriterion(second);
      if (!left || !right) return undefined;
      return (node) => {
        const a = left(node);
        const b = right(node);
        if (a === undefined || b === undefined) return undefined;
        return a === true || b === true ? true : a === 'empty' || b === 'empty' ? 'empty' : false;
      };
    }
    case 'EqualityExpression': {
      const field = ast.text === '=' ? compileAst(first) : undefined;
      const text = stringLiteral(second);
      if (!field || text === undefined) return undefined;
      return (node) => onString(field([node]), (value) => value === text);
    }
    case 'InvocationExpression': {
      const field = compileAst(first);
      const [name, params] =
        second?.type === 'FunctionInvocation' ? (second.children?.[0]?.children ?? []) : [];
      const args = params?.children ?? [];
      const pattern = name?.text === 'matches' && args.length === 1 ? stringLiteral(args[0]) : undefined;
      if (!field || pattern === undefined) return undefined;
      // `matches` as fhirpath.js runs it: flags `us` (dot matches new lines), unanchored.
      const regex = new RegExp(pattern, 'us');
      return (node) => onString(field([node]), (value) => regex.test(value));
    }
    default:
      return undefined;
  }
}

/** A test on a single string element: empty when absent; anything else (several, non-string, a date) to fhirpath.js. */
function onString(nodes: PathNode[] | undefined, test: (value: string) => boolean): Truth {
  if (!nodes) return undefined;
  if (nodes.length === 0) return 'empty';
  const [node] = nodes;
  if (nodes.length > 1 || typeof node.data !== 'string' || node.path === null || DATE_PATHS.has(node.path))
    return undefined;
  return test(node.data);
}

function literalOf(ast: Ast | undefined): Ast | undefined {
  let node = ast;
  while (node && (node.type === 'TermExpression' || node.type === 'LiteralTerm')) node = node.children?.[0];
  return node;
}

/** A plain string literal (`'phone'`); literals with escapes are left to fhirpath.js. */
function stringLiteral(ast: Ast | undefined): string | undefined {
  const literal = literalOf(ast);
  const text = literal?.type === 'StringLiteral' ? literal.text : undefined;
  return text && /^'[^'\\]*'$/.test(text) ? text.slice(1, -1) : undefined;
}
