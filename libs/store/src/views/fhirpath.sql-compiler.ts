import * as fhirpath from 'fhirpath';
import * as r4Model from 'fhirpath/fhir-context/r4';

// The FHIRPath subset SQL on FHIR views use, compiled to Postgres SQL. Every expression compiles to a SQL expression
// whose value is a jsonb array: the FHIRPath collection. Navigation is SQL/JSON path in lax mode (`$[*]."name"[*]`
// flattens as FHIRPath does); functions and operators are jsonb and SQL expressions. Nothing from the view is
// spliced into the SQL text: names go into jsonpath text and values into parameters, both bound ($n). What is
// outside the subset throws ViewNotCompilable, and the caller runs the view in memory instead.

/** A view (or one of its expressions) the compiler cannot translate; the reason names what. */
export class ViewNotCompilable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ViewNotCompilable';
  }
}

interface Ast {
  type: string;
  text?: string;
  children?: Ast[];
}

/** The statement being built: its bound parameters, numbered in order. */
export class SqlParameters {
  readonly values: (string | number | boolean)[] = [];

  bind(value: string | number | boolean, cast: 'text' | 'numeric' | 'jsonpath' | 'jsonb' | 'int'): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

const EMPTY = `'[]'::jsonb`;
const choiceTypes = choiceTypesByName();

/** For each choice element's name (`value`, `deceased`), the type suffixes its JSON names may carry. */
function choiceTypesByName(): Map<string, Set<string>> {
  const byName = new Map<string, Set<string>>();
  const paths = (r4Model as unknown as { choiceTypePaths: Record<string, string[]> }).choiceTypePaths;
  for (const [path, types] of Object.entries(paths)) {
    const name = path.substring(path.lastIndexOf('.') + 1);
    const known = byName.get(name) ?? new Set<string>();
    types.forEach((type) => known.add(type));
    byName.set(name, known);
  }
  return byName;
}

const quoteKey = (key: string) => `"${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const capitalised = (type: string) => type.charAt(0).toUpperCase() + type.substring(1);
const identifier = (ast: Ast | undefined) => (ast?.text ?? '').replace(/^`|`$/g, '');
const isEmpty = (collection: string) => `jsonb_array_length(${collection}) = 0`;
const single = (collection: string) => `(${collection} -> 0)`;
/** The element at an index as a collection (empty when out of range). */
const elementAt = (collection: string, index: string) =>
  `(SELECT CASE WHEN x IS NULL THEN ${EMPTY} ELSE jsonb_build_array(x) END FROM (SELECT ${collection} -> (${index}) AS x) v)`;
/** A SQL value as a collection: empty for NULL. */
const collectionOf = (sqlValue: string) =>
  `(SELECT CASE WHEN x IS NULL THEN ${EMPTY} ELSE jsonb_build_array(x) END FROM (SELECT ${sqlValue} AS x) v)`;
/** A collection as a SQL boolean: true, false, or NULL when empty (three-valued logic, as FHIRPath's). */
const booleanOf = (collection: string) =>
  `(CASE ${collection} WHEN '[true]'::jsonb THEN true WHEN '[false]'::jsonb THEN false END)`;

/** What an expression is evaluated on: the focus collection, %rowIndex, and the resource type of the root. */
export interface SqlFocus {
  collection: string;
  rowIndex: string;
  resourceType?: string;
}

export class FhirPathSqlCompiler {
  constructor(private readonly params: SqlParameters) {}

  /** An expression as SQL whose value is the jsonb array of its result. */
  compile(expression: string, focus: SqlFocus): string {
    return this.node(fhirpath.parse(expression) as Ast, focus);
  }

  private node(ast: Ast, focus: SqlFocus): string {
    const [left, right] = ast.children ?? [];
    switch (ast.type) {
      case 'EntireExpression':
      case 'TermExpression':
      case 'InvocationTerm':
      case 'ParenthesizedTerm':
        if (ast.children?.length !== 1) throw new ViewNotCompilable(`unexpected ${ast.type}`);
        return this.node(left, focus);
      case 'LiteralTerm':
        return this.literal(left);
      case 'ExternalConstantTerm':
        if (identifier(left?.children?.[0]) !== 'rowIndex')
          throw new ViewNotCompilable(`variable %${identifier(left?.children?.[0])}`);
        return `jsonb_build_array(${focus.rowIndex})`;
      case 'ThisInvocation':
        return focus.collection;
      case 'MemberInvocation':
        return this.member(ast, focus, focus.collection);
      case 'FunctionInvocation':
        return this.call(ast, focus, focus.collection);
      case 'InvocationExpression':
        return this.invoke(left, right, focus);
      case 'IndexerExpression':
        return this.index(this.node(left, focus), right, focus);
      case 'PolarityExpression': {
        const operand = this.node(left, focus);
        return ast.text === '-'
          ? `(CASE WHEN ${isEmpty(operand)} THEN ${EMPTY} ELSE jsonb_build_array(-(${operand} ->> 0)::numeric) END)`
          : operand;
      }
      case 'AndExpression':
      case 'OrExpression':
        return collectionOf(
          `(${booleanOf(this.node(left, focus))} ${ast.text === 'and' ? 'AND' : 'OR'} ${booleanOf(this.node(right, focus))})`,
        );
      case 'ImpliesExpression':
        return collectionOf(
          `(NOT ${booleanOf(this.node(left, focus))} OR ${booleanOf(this.node(right, focus))})`,
        );
      case 'EqualityExpression':
        return this.equality(ast.text ?? '', this.node(left, focus), this.node(right, focus));
      case 'InequalityExpression':
        return this.inequality(ast.text ?? '', this.node(left, focus), this.node(right, focus));
      case 'AdditiveExpression':
      case 'MultiplicativeExpression':
        return this.arithmetic(ast.text ?? '', this.node(left, focus), this.node(right, focus));
      case 'MembershipExpression': {
        const [item, list] = ast.text === 'in' ? [left, right] : [right, left];
        const value = this.node(item, focus);
        return `(CASE WHEN ${isEmpty(value)} THEN ${EMPTY} ELSE jsonb_build_array(${this.node(list, focus)} @> ${value}) END)`;
      }
      default:
        throw new ViewNotCompilable(`FHIRPath ${ast.type}${ast.text ? ` '${ast.text}'` : ''}`);
    }
  }

  private invoke(target: Ast, invocation: Ast, focus: SqlFocus): string {
    // a choice element narrowed by type (`value.ofType(Quantity)`) reads its JSON name (`valueQuantity`)
    const member = memberOf(target);
    if (member && invocation.type === 'FunctionInvocation' && functionName(invocation) === 'ofType') {
      const [typeArg] = functionParams(invocation);
      const type = memberOf(typeArg)?.text ?? '';
      const collection = member.base ? this.node(member.base, focus) : focus.collection;
      return this.path(collection, `$[*].${quoteKey(identifier(member.ast) + capitalised(type))}[*]`);
    }
    const collection = this.node(target, focus);
    if (invocation.type === 'MemberInvocation') return this.member(invocation, focus, collection);
    if (invocation.type === 'FunctionInvocation') return this.call(invocation, focus, collection);
    throw new ViewNotCompilable(`FHIRPath ${invocation.type}`);
  }

  private member(ast: Ast, focus: SqlFocus, collection: string): string {
    const name = identifier(ast);
    if (collection === focus.collection && name === focus.resourceType) return collection;
    const types = choiceTypes.get(name);
    const plain = () => this.path(collection, `$[*].${quoteKey(name)}[*]`);
    if (types) {
      // a name that is a choice element somewhere (`value`) but maybe a plain one here (Quantity.value): the plain
      // key or whichever value[x] the element holds (an element of one object checks for the plain key first)
      const suffixes = [...types].map((type) => capitalised(type).replace(/[^A-Za-z0-9]/g, '')).join('|');
      const choice = this.path(
        collection,
        `$[*].keyvalue() ? (@.key like_regex "^${name}(${suffixes})?$").value[*]`,
      );
      const element = singleElement(collection);
      return element
        ? `(CASE WHEN ${element} ? ${this.params.bind(name, 'text')} THEN ${plain()} ELSE ${choice} END)`
        : choice;
    }
    return plain();
  }

  private path(collection: string, jsonPath: string, vars?: Record<string, string>): string {
    // a one-element collection of a column or alias (the resource, a forEach element) is navigated from the element
    // itself: lax `$[*]` takes an object as itself, and wrapping it would copy the whole resource for every path
    const from = singleElement(collection) ?? collection;
    const varsSql = vars ? `, ${this.params.bind(JSON.stringify(vars), 'jsonb')}` : '';
    return `jsonb_path_query_array(${from}, ${this.params.bind(jsonPath, 'jsonpath')}${varsSql})`;
  }

  private index(collection: string, indexAst: Ast, focus: SqlFocus): string {
    const index = this.node(indexAst, focus);
    return `(CASE WHEN ${isEmpty(index)} THEN ${EMPTY} ELSE ${elementAt(collection, `(${index} ->> 0)::int`)} END)`;
  }

  private call(ast: Ast, focus: SqlFocus, collection: string): string {
    const name = functionName(ast);
    const params = functionParams(ast);
    const elementFocus = (alias: string): SqlFocus => ({
      collection: `jsonb_build_array(${alias}.v)`,
      rowIndex: focus.rowIndex,
    });
    const where = (condition: Ast) =>
      `(SELECT coalesce(jsonb_agg(e.v ORDER BY e.i), ${EMPTY}) FROM jsonb_array_elements(${collection}) WITH ORDINALITY e(v, i) WHERE ${booleanOf(this.node(condition, elementFocus('e')))})`;
    switch (`${name}/${params.length}`) {
      case 'where/1':
        return where(params[0]);
      case 'exists/0':
        return `jsonb_build_array(jsonb_array_length(${collection}) > 0)`;
      case 'exists/1':
        return `jsonb_build_array(jsonb_array_length(${where(params[0])}) > 0)`;
      case 'empty/0':
        return `jsonb_build_array(${isEmpty(collection)})`;
      case 'count/0':
        return `jsonb_build_array(jsonb_array_length(${collection}))`;
      case 'first/0':
        return elementAt(collection, '0');
      case 'last/0':
        return elementAt(collection, '-1');
      case 'not/0':
        return collectionOf(`NOT ${booleanOf(collection)}`);
      case 'join/0':
      case 'join/1': {
        const separator = params.length ? `(${this.node(params[0], focus)} ->> 0)` : `''`;
        return `jsonb_build_array(coalesce((SELECT string_agg(e.v #>> '{}', ${separator} ORDER BY e.i) FROM jsonb_array_elements(${collection}) WITH ORDINALITY e(v, i)), ''))`;
      }
      case 'extension/1': {
        const url = this.node(params[0], focus);
        return `(SELECT coalesce(jsonb_agg(e.v ORDER BY e.i), ${EMPTY}) FROM jsonb_array_elements(${this.path(collection, '$[*]."extension"[*]')}) WITH ORDINALITY e(v, i) WHERE jsonb_build_array(e.v -> 'url') = ${url})`;
      }
      case 'getResourceKey/0':
        return this.path(collection, '$[*]."id"');
      case 'getReferenceKey/0':
      case 'getReferenceKey/1': {
        const type = params.length ? identifier(memberOf(params[0])?.ast) : undefined;
        const typeMatches = type ? `AND m[1] = ${this.params.bind(type, 'text')}` : '';
        return `(SELECT coalesce(jsonb_agg(to_jsonb(m[2]) ORDER BY e.i), ${EMPTY}) FROM jsonb_array_elements(${collection}) WITH ORDINALITY e(v, i), regexp_match(e.v ->> 'reference', '([^/]+)/([^/]+)(?:/_history/[^/]+)?$') AS m WHERE m IS NOT NULL ${typeMatches})`;
      }
      default:
        throw new ViewNotCompilable(`FHIRPath function ${name}() with ${params.length} arguments`);
    }
  }

  private literal(ast: Ast): string {
    const text = ast.text ?? '';
    switch (ast.type) {
      case 'BooleanLiteral':
        return `'[${text === 'true'}]'::jsonb`;
      case 'NullLiteral':
        return EMPTY;
      case 'NumberLiteral':
        return `jsonb_build_array(${this.params.bind(text, 'numeric')})`;
      case 'StringLiteral':
        return `jsonb_build_array(${this.params.bind(unquote(text), 'text')})`;
      case 'DateLiteral':
      case 'DateTimeLiteral':
      case 'TimeLiteral':
        return `jsonb_build_array(${this.params.bind(text.replace(/^@T?/, '').replace(/T$/, ''), 'text')})`;
      default:
        throw new ViewNotCompilable(`FHIRPath ${ast.type} ${text}`);
    }
  }

  private equality(operator: string, left: string, right: string): string {
    const either = `${isEmpty(left)} OR ${isEmpty(right)}`;
    switch (operator) {
      case '=':
        return `(CASE WHEN ${either} THEN ${EMPTY} ELSE jsonb_build_array(${left} = ${right}) END)`;
      case '!=':
        return `(CASE WHEN ${either} THEN ${EMPTY} ELSE jsonb_build_array(${left} <> ${right}) END)`;
      default:
        throw new ViewNotCompilable(`FHIRPath operator ${operator}`);
    }
  }

  private inequality(operator: string, left: string, right: string): string {
    const numbers = `jsonb_typeof(${single(left)}) = 'number' AND jsonb_typeof(${single(right)}) = 'number'`;
    return `(CASE WHEN ${isEmpty(left)} OR ${isEmpty(right)} THEN ${EMPTY}
      WHEN ${numbers} THEN jsonb_build_array((${left} ->> 0)::numeric ${operator} (${right} ->> 0)::numeric)
      ELSE jsonb_build_array((${left} ->> 0) COLLATE "C" ${operator} (${right} ->> 0)) END)`;
  }

  private arithmetic(operator: string, left: string, right: string): string {
    const a = `(${left} ->> 0)::numeric`;
    const b = `(${right} ->> 0)::numeric`;
    const value = (() => {
      switch (operator) {
        case '+':
        case '-':
        case '*':
          return `${a} ${operator} ${b}`;
        case '/':
          return `${a} / NULLIF(${b}, 0)`;
        case 'div':
          return `trunc(${a} / NULLIF(${b}, 0))`;
        case 'mod':
          return `${a} % NULLIF(${b}, 0)`;
        case '&':
          return `coalesce(${left} ->> 0, '') || coalesce(${right} ->> 0, '')`;
        default:
          throw new ViewNotCompilable(`FHIRPath operator ${operator}`);
      }
    })();
    if (operator === '&') return `jsonb_build_array(${value})`;
    const strings =
      operator === '+'
        ? `WHEN jsonb_typeof(${single(left)}) = 'string' THEN jsonb_build_array((${left} ->> 0) || (${right} ->> 0))`
        : '';
    return `(CASE WHEN ${isEmpty(left)} OR ${isEmpty(right)} THEN ${EMPTY} ${strings} ELSE ${collectionOf(value)} END)`;
  }
}

/** The column or alias a one-element collection wraps (`jsonb_build_array(r.content)`), if it is one. */
function singleElement(collection: string): string | undefined {
  return /^jsonb_build_array\(([A-Za-z0-9_.]+)\)$/.exec(collection)?.[1];
}

function unquote(literal: string): string {
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f' };
  return literal
    .slice(1, -1)
    .replace(/\\u([0-9a-fA-F]{4})|\\(.)/g, (_, hex: string | undefined, char: string) =>
      hex ? String.fromCharCode(parseInt(hex, 16)) : (escapes[char] ?? char),
    );
}

function functionName(ast: Ast): string {
  return identifier(ast.children?.[0]?.children?.[0]);
}

function functionParams(ast: Ast): Ast[] {
  return ast.children?.[0]?.children?.[1]?.children ?? [];
}

/** The member an expression ends with, and what it is invoked on (none at the focus). */
function memberOf(ast: Ast | undefined): { ast: Ast; base?: Ast; text?: string } | undefined {
  if (!ast) return undefined;
  if (ast.type === 'MemberInvocation') return { ast, text: identifier(ast) };
  if (['TermExpression', 'InvocationTerm'].includes(ast.type) && ast.children?.length === 1)
    return memberOf(ast.children[0]);
  if (ast.type === 'InvocationExpression' && ast.children?.[1]?.type === 'MemberInvocation')
    return { ast: ast.children[1], base: ast.children[0], text: identifier(ast.children[1]) };
  return undefined;
}
