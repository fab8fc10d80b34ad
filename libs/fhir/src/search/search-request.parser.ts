import { badRequest, operationOutcome, type Problem } from '../operation-outcome';
import { identifierCode, ofTypeCode, textCode } from './index-rows.types';
import { isResourceType, searchParameter, searchParametersOf } from './search-parameter.registry';
import type { SearchParamDef } from './search-parameter.types';
import type {
  IncludeSpec,
  Modifier,
  ParseOptions,
  SearchFilter,
  SearchRequest,
  SearchValue,
  SortKey,
  SummaryMode,
  TotalMode,
} from './search-request.types';
import { parseToken, parseValue, splitEscaped } from './search-value.parser';

export type SearchParams = Iterable<[string, string]> | Record<string, string | string[] | undefined>;

/** Thrown inside the parser for a parameter we do not support; lenient mode turns it into a warning. */
class Unsupported extends Error {}

const DEFAULT_COUNT = 20;
const MAX_COUNT = 1000;
/** Parameters with no effect on the result set that need no report. */
const SILENT = new Set(['_format', '_pretty']);
const SUMMARY_MODES: readonly SummaryMode[] = ['true', 'text', 'data', 'count', 'false'];
const TOTAL_MODES: readonly TotalMode[] = ['none', 'estimate', 'accurate'];
/** Parameter types whose index holds one sortable value per row. */
const SORTABLE = new Set(['string', 'token', 'date', 'number', 'quantity', 'uri', 'reference']);

function entries(params: SearchParams): [string, string][] {
  if (Symbol.iterator in params) return [...(params as Iterable<[string, string]>)];
  return Object.entries(params).flatMap(([key, value]) =>
    value === undefined
      ? []
      : (Array.isArray(value) ? value : [value]).map((v): [string, string] => [key, v]),
  );
}

/**
 * Parses FHIR search parameters into a `SearchRequest`. Repeated parameters are AND-ed, comma lists OR-ed.
 * Unknown or unsupported parameters are ignored and reported in `outcome` (a warning per parameter), or refused
 * with a 400 FhirError when `strict`. Malformed values and unsupported modifiers are always a 400: ignoring a
 * `:not` or a bad date would silently widen the results.
 */
export function parseSearchRequest(
  resourceType: string | undefined,
  params: SearchParams,
  options: ParseOptions = {},
): SearchRequest {
  if (resourceType !== undefined && !isResourceType(resourceType)) {
    throw badRequest(`Unknown resource type '${resourceType}'`);
  }
  const request: SearchRequest = {
    resourceType,
    filters: [],
    sort: [],
    count: options.defaultCount ?? DEFAULT_COUNT,
    total: 'none',
    includes: [],
    revincludes: [],
  };
  const ignored: Problem[] = [];
  const all = entries(params);
  const typeParam = all.find(([key]) => key === '_type');
  if (typeParam) request.types = parseTypes(typeParam[1]);
  const scope = resourceType ? [resourceType] : (request.types ?? []);
  for (const [key, value] of all) {
    try {
      applyParameter(request, scope, key, value, options);
    } catch (error: unknown) {
      if (!(error instanceof Unsupported)) throw error;
      if (options.strict) throw badRequest(error.message, [key]);
      ignored.push({
        severity: 'warning',
        code: 'not-supported',
        diagnostics: error.message,
        expression: [key],
      });
    }
  }
  if (ignored.length) request.outcome = operationOutcome(ignored);
  return request;
}

function parseTypes(value: string): string[] {
  const types = value
    .split(',')
    .map((type) => type.trim())
    .filter(Boolean);
  const unknown = types.filter((type) => !isResourceType(type));
  if (unknown.length) throw badRequest(`Unknown resource type(s) in _type: ${unknown.join(', ')}`);
  return types;
}

function applyParameter(
  request: SearchRequest,
  scope: string[],
  key: string,
  value: string,
  options: ParseOptions,
) {
  const [name, modifier] = splitKey(key);
  switch (name) {
    case '_type':
      if (request.resourceType) throw new Unsupported(`_type applies to system-level search only`);
      return;
    case '_count': {
      const count = Number(value);
      if (!Number.isInteger(count) || count < 0) throw badRequest(`Invalid _count '${value}'`);
      request.count = Math.min(count, options.maxCount ?? MAX_COUNT);
      return;
    }
    case '_cursor':
      request.cursor = value;
      return;
    case '_total':
      if (!TOTAL_MODES.includes(value as TotalMode)) throw badRequest(`Invalid _total '${value}'`);
      request.total = value as TotalMode;
      return;
    case '_summary':
      if (!SUMMARY_MODES.includes(value as SummaryMode)) throw badRequest(`Invalid _summary '${value}'`);
      request.summary = value as SummaryMode;
      return;
    case '_elements':
      request.elements = value
        .split(',')
        .map((element) => element.trim())
        .filter(Boolean);
      return;
    case '_sort':
      request.sort = value
        .split(',')
        .filter(Boolean)
        .map((item) => parseSortKey(scope, item));
      return;
    case '_include':
    case '_revinclude':
      if (modifier !== undefined && modifier !== 'iterate') throw badRequest(`Unsupported modifier ${key}`);
      (name === '_include' ? request.includes : request.revincludes).push(
        parseInclude(value, modifier === 'iterate'),
      );
      return;
  }
  if (SILENT.has(name)) return;
  request.filters.push(parseFilter(scope, key, value, options));
}

/** `name:modifier` → [name, modifier]; a chain (`subject:Patient.name`) keeps its dots in the name. */
function splitKey(key: string): [string, string | undefined] {
  const colon = key.indexOf(':');
  return colon < 0 ? [key, undefined] : [key.slice(0, colon), key.slice(colon + 1)];
}

/** The definition of a parameter across the types searched: it must exist (with one type) in each of them. */
function resolveParam(scope: string[], code: string): SearchParamDef {
  const types = scope.length ? scope : ['Patient']; // system search without _type: common parameters only
  const defs = types.map((type) => searchParameter(type, code));
  const first = defs[0];
  if (!first || defs.some((def) => !def || def.type !== first.type)) {
    throw new Unsupported(
      `Unknown search parameter '${code}' for ${scope.length ? scope.join(', ') : 'system-level search'}`,
    );
  }
  if (!scope.length && !code.startsWith('_'))
    throw new Unsupported(`Search parameter '${code}' needs a resource type`);
  if (first.type === 'special' || (!first.expression && !['_id', '_lastUpdated'].includes(code))) {
    throw new Unsupported(`Search parameter '${code}' is not supported`);
  }
  return { ...first, targets: [...new Set(defs.flatMap((def) => def?.targets ?? []))] };
}

function parseFilter(scope: string[], key: string, value: string, options: ParseOptions): SearchFilter {
  if (key.startsWith('_has:')) return parseHas(scope, key, value, options);
  const dot = key.indexOf('.');
  if (dot >= 0) return parseChain(scope, key.slice(0, dot), key.slice(dot + 1), value, options);
  const [code, modifier] = splitKey(key);
  const param = resolveParam(scope, code);
  return paramFilter(param, modifier, value, options);
}

function paramFilter(
  param: SearchParamDef,
  modifier: string | undefined,
  value: string,
  options: ParseOptions,
): SearchFilter {
  const { code, type } = param;
  const rawValues = splitEscaped(value, ',').filter((raw) => raw !== '');
  if (rawValues.length === 0) throw badRequest(`Search parameter '${code}' has no value`);
  if (modifier === 'missing') {
    if (rawValues.length !== 1 || !['true', 'false'].includes(rawValues[0]))
      throw badRequest(`${code}:missing takes true or false`);
    return { kind: 'param', code, type, values: [{ type: 'missing', missing: rawValues[0] === 'true' }] };
  }
  const values = (
    def: Pick<SearchParamDef, 'code' | 'type' | 'targets' | 'components'>,
    referenceType?: string,
  ) => rawValues.map((raw) => parseValue(def, raw, { baseUrl: options.baseUrl, referenceType }));
  const plain = { ...param, components: [] as SearchParamDef['components'] };
  if (modifier === undefined) return { kind: 'param', code, type, values: values(param) };
  switch (`${type}:${modifier}`) {
    case 'string:exact':
    case 'string:contains':
      return { kind: 'param', code, type, modifier: modifier as Modifier, values: values(param) };
    case 'token:not':
      return { kind: 'param', code, type, modifier: 'not', values: values(param) };
    case 'token:text':
      return {
        kind: 'param',
        code: textCode(code),
        type: 'string',
        values: values({ ...plain, type: 'string' }),
      };
    case 'token:of-type':
      // typeSystem|typeCode|value, stored as system = type system, value = `typeCode|value`.
      return {
        kind: 'param',
        code: ofTypeCode(code),
        type: 'token',
        values: rawValues.map((raw) => {
          const [system, typeCode, identifier] = splitEscaped(raw, '|', 3);
          if (identifier === undefined) throw badRequest(`${code}:of-type takes system|code|value`);
          return parseToken(`${system}|${typeCode}\\|${identifier}`);
        }),
      };
    case 'reference:identifier':
      return {
        kind: 'param',
        code: identifierCode(code),
        type: 'token',
        values: values({ ...plain, type: 'token' }),
      };
    case 'uri:above':
    case 'uri:below':
      return { kind: 'param', code, type, modifier: modifier as Modifier, values: values(param) };
    case 'reference:person':
      return personFilter(param, values(param, 'Patient'));
  }
  if (type === 'reference' && modifier && isResourceType(modifier)) {
    return { kind: 'param', code, type, values: values(param, modifier) };
  }
  throw badRequest(`Modifier ':${modifier}' is not supported on ${type} search parameter '${code}'`);
}

/**
 * `patient:person=Patient/X` (any reference parameter that can point at a Patient): the resources of every record
 * of X's person. Plain `patient=` keeps its R4 meaning (that record only).
 */
function personFilter(param: SearchParamDef, values: SearchValue[]): SearchFilter {
  if (!(param.targets ?? []).includes('Patient'))
    throw badRequest(
      `${param.code}:person applies to references to a Patient; '${param.code}' cannot point at one`,
    );
  for (const value of values)
    if (value.type !== 'reference' || value.resourceType !== 'Patient')
      throw badRequest(`${param.code}:person takes Patient references (Patient/id or an id)`);
  return { kind: 'param', code: param.code, type: 'reference', modifier: 'person', values };
}

function parseChain(
  scope: string[],
  head: string,
  rest: string,
  value: string,
  options: ParseOptions,
): SearchFilter {
  const [code, typeModifier] = splitKey(head);
  const param = resolveParam(scope, code);
  if (param.type !== 'reference') throw badRequest(`Cannot chain on '${code}': not a reference parameter`);
  if (typeModifier && !isResourceType(typeModifier))
    throw badRequest(`Unknown resource type '${typeModifier}' in chain`);
  const candidates = typeModifier ? [typeModifier] : param.targets;
  const [nextCode] = splitKey(rest.split('.')[0]);
  // The chained parameter decides which targets are meant: those that define it.
  const targetTypes = candidates.filter((type) => searchParametersOf(type).has(nextCode));
  if (!targetTypes.length)
    throw new Unsupported(`Unknown chained search parameter '${nextCode}' on ${candidates.join(', ')}`);
  return {
    kind: 'chain',
    code,
    targetTypes,
    filter: parseFilter(targetTypes.slice(0, 1), rest, value, options),
  };
}

function parseHas(scope: string[], key: string, value: string, options: ParseOptions): SearchFilter {
  const [, sourceType, referenceCode, ...rest] = key.split(':');
  if (!sourceType || !referenceCode || rest.length === 0) throw badRequest(`Invalid _has parameter '${key}'`);
  if (!isResourceType(sourceType)) throw badRequest(`Unknown resource type '${sourceType}' in _has`);
  const reference = searchParameter(sourceType, referenceCode);
  if (reference?.type !== 'reference')
    throw new Unsupported(`Unknown reference parameter '${referenceCode}' on ${sourceType}`);
  return {
    kind: 'has',
    sourceType,
    referenceCode,
    filter: parseFilter([sourceType], rest.join(':'), value, options),
  };
}

function parseSortKey(scope: string[], item: string): SortKey {
  const descending = item.startsWith('-');
  const code = descending ? item.slice(1) : item;
  const param = resolveParam(scope, code);
  if (!SORTABLE.has(param.type)) throw badRequest(`Cannot sort on '${code}' (${param.type})`);
  return { code, type: param.type, descending };
}

function parseInclude(value: string, iterate: boolean): IncludeSpec {
  const [sourceType, code, targetType] = value.split(':');
  if (sourceType === '*' || code === '*')
    throw new Unsupported(`Wildcard include '${value}' is not supported`);
  if (!isResourceType(sourceType) || !code)
    throw badRequest(`Invalid include '${value}' (Type:parameter[:TargetType])`);
  if (searchParameter(sourceType, code)?.type !== 'reference') {
    throw new Unsupported(`Unknown reference parameter '${code}' on ${sourceType} in include`);
  }
  if (targetType !== undefined && !isResourceType(targetType))
    throw badRequest(`Unknown include target type '${targetType}'`);
  return { sourceType, code, targetType, iterate };
}
