import type { Resource } from 'fhir/r4';
import { evaluate, evaluateNodes, evaluateOn, type PathValue } from './fhirpath.evaluator';
import { foldText } from './fold-text';
import type { CompositeRow, CompositeValue, IndexRows } from './index-rows.types';
import { identifierCode, ofTypeCode, textCode } from './index-rows.types';
import { searchParametersOf } from './search-parameter.registry';
import type { SearchParamDef } from './search-parameter.types';
import {
  datesOf,
  numbersOf,
  quantitiesOf,
  referencesOf,
  stringsOf,
  tokensOf,
  urisOf,
} from './value-normalisers';

/** Parameters searched on the `resource` row itself (id, last_updated), so they need no index rows. */
export const RESOURCE_ROW_PARAMS = new Set(['_id', '_lastUpdated']);

export function emptyIndexRows(): IndexRows {
  return { string: [], token: [], date: [], number: [], quantity: [], reference: [], uri: [], composite: [] };
}

/**
 * Every search index value of a resource, for every R4 search parameter of its type: each parameter's FHIRPath
 * (compiled once, cached) evaluated on the resource, then normalised by the parameter's type. Duplicate values of
 * one parameter are kept once. `baseUrl` lets absolute references to this server index as local ones.
 */
export function extractIndexRows(resource: Resource, options: { baseUrl?: string } = {}): IndexRows {
  const rows = emptyIndexRows();
  const present = presentElements(resource);
  for (const param of searchParametersOf(resource.resourceType).values()) {
    if (!param.expression || RESOURCE_ROW_PARAMS.has(param.code)) continue;
    if (param.rootElements && !param.rootElements.some((element) => present.has(element))) continue;
    if (param.type === 'composite') {
      rows.composite.push(...compositeRows(param, resource, options.baseUrl));
      continue;
    }
    for (const value of evaluate(param.expression, resource)) addValue(rows, param, value, options.baseUrl);
  }
  return dedupe(rows);
}

/** Top-level element names of a resource, choice elements also by their stem (`effectiveDateTime` → `effective`). */
function presentElements(resource: Resource): Set<string> {
  const present = new Set<string>();
  for (const key of Object.keys(resource)) {
    const name = key.startsWith('_') ? key.slice(1) : key;
    present.add(name);
    present.add(name.replace(/[A-Z].*$/, ''));
  }
  return present;
}

function addValue(rows: IndexRows, param: SearchParamDef, value: PathValue, baseUrl?: string): void {
  const { code } = param;
  switch (param.type) {
    case 'string':
      for (const exact of stringsOf(value)) rows.string.push({ code, value: foldText(exact), exact });
      return;
    case 'token': {
      const { tokens, texts, ofType } = tokensOf(value);
      for (const token of tokens) rows.token.push({ code, ...token });
      for (const token of ofType) rows.token.push({ code: ofTypeCode(code), ...token });
      for (const exact of texts) rows.string.push({ code: textCode(code), value: foldText(exact), exact });
      return;
    }
    case 'date':
      for (const interval of datesOf(value)) rows.date.push({ code, ...interval });
      return;
    case 'number':
      for (const number of numbersOf(value)) rows.number.push({ code, ...number });
      return;
    case 'quantity':
      for (const quantity of quantitiesOf(value)) rows.quantity.push({ code, ...quantity });
      return;
    case 'reference': {
      const { references, identifiers } = referencesOf(value, baseUrl);
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
function compositeRows(param: SearchParamDef, resource: Resource, baseUrl?: string): CompositeRow[] {
  const [first, second] = param.components;
  if (param.components.length !== 2 || first.type !== 'token' || !param.expression) return [];
  const rows: CompositeRow[] = [];
  for (const root of evaluateNodes(param.expression, resource)) {
    const firsts = evaluateOn(first.expression, root.path, root.value, resource).flatMap(
      (v) => tokensOf(v).tokens,
    );
    if (!firsts.length) continue;
    const seconds = evaluateOn(second.expression, root.path, root.value, resource).flatMap((value) =>
      compositeValues(second.type, value, baseUrl),
    );
    for (const token of firsts)
      for (const value of seconds) rows.push({ code: param.code, ...token, second: value });
  }
  return rows;
}

function compositeValues(type: string, value: PathValue, baseUrl?: string): CompositeValue[] {
  switch (type) {
    case 'token':
      return tokensOf(value).tokens.map((token) => ({ type: 'token', ...token }));
    case 'string':
      return stringsOf(value).map((text) => ({ type: 'string', value: foldText(text) }));
    case 'uri':
      return urisOf(value).map((uri) => ({ type: 'uri', value: uri }));
    case 'reference':
      return referencesOf(value, baseUrl).references.map((ref) => ({
        type: 'reference',
        value: ref.targetType ? `${ref.targetType}/${ref.targetId}` : ref.targetId,
      }));
    case 'number':
      return numbersOf(value).map((number) => ({ type: 'number', ...number }));
    case 'quantity':
      return quantitiesOf(value).map(({ low, high, system, unit, canonical }) => ({
        type: 'quantity',
        low,
        high,
        system,
        unit,
        ...(canonical && { canonical }),
      }));
    case 'date':
      return datesOf(value).map((interval) => ({ type: 'date', ...interval }));
    default:
      return [];
  }
}

function rowKey(row: object): string {
  return Object.values(row)
    .map((value) => (typeof value === 'object' && value !== null ? rowKey(value) : String(value)))
    .join('\u0000');
}

function dedupe(rows: IndexRows): IndexRows {
  const unique = <T extends object>(list: T[]): T[] => {
    const seen = new Set<string>();
    return list.filter((row) => {
      const key = rowKey(row);
      return seen.has(key) ? false : (seen.add(key), true);
    });
  };
  return {
    string: unique(rows.string),
    token: unique(rows.token),
    date: unique(rows.date),
    number: unique(rows.number),
    quantity: unique(rows.quantity),
    reference: unique(rows.reference),
    uri: unique(rows.uri),
    composite: unique(rows.composite),
  };
}
