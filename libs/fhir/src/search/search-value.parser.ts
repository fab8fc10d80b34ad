import { badRequest } from '../operation-outcome';
import { dateRange } from './date-range';
import { decimalRange } from './decimal-range';
import { parseReference } from './reference';
import type { SearchParamDef } from './search-parameter.types';
import type { Prefix, SearchValue, TokenValue } from './search-request.types';
import { PREFIXES } from './search-request.types';
import { toBase, UCUM, ucumBase } from './ucum';

/** Splits on a separator not escaped with `\` (FHIR escaping of `,` `|` `$`), keeping escapes for later parts. */
export function splitEscaped(text: string, separator: ',' | '|' | '$', limit = Infinity): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1];
      i++;
    } else if (c === separator && parts.length < limit - 1) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** Removes FHIR search escapes: `\,` `\|` `\$` `\\`. */
export function unescape(text: string): string {
  return text.replace(/\\([,|$\\])/g, '$1');
}

function prefixed(text: string): { prefix: Prefix; rest: string } {
  const candidate = text.slice(0, 2) as Prefix;
  return PREFIXES.includes(candidate) && /^[0-9+-]/.test(text.slice(2))
    ? { prefix: candidate, rest: text.slice(2) }
    : { prefix: 'eq', rest: text };
}

export function parseToken(text: string): TokenValue {
  const parts = splitEscaped(text, '|', 2);
  if (parts.length === 1) return { type: 'token', code: unescape(parts[0]) };
  const [system, code] = parts.map(unescape);
  return { type: 'token', system: system === '' ? null : system, code: code === '' ? undefined : code };
}

/** One value (already split from its comma list) of a parameter of the given type. */
export function parseValue(
  param: Pick<SearchParamDef, 'code' | 'type' | 'targets' | 'components'>,
  raw: string,
  options: { baseUrl?: string; referenceType?: string } = {},
): SearchValue {
  const invalid = (what: string) =>
    badRequest(`Invalid ${what} '${raw}' for search parameter '${param.code}'`);
  switch (param.type) {
    case 'string':
      return { type: 'string', text: unescape(raw) };
    case 'token':
      return parseToken(raw);
    case 'uri':
      return { type: 'uri', value: unescape(raw) };
    case 'date': {
      const { prefix, rest } = prefixed(raw);
      const range = dateRange(rest);
      if (!range) throw invalid('date');
      return { type: 'date', prefix, ...range };
    }
    case 'number': {
      const { prefix, rest } = prefixed(raw);
      const range = decimalRange(rest);
      if (!range) throw invalid('number');
      return { type: 'number', prefix, ...range };
    }
    case 'quantity': {
      const { prefix, rest } = prefixed(raw);
      const [number, system, unit] = splitEscaped(rest, '|', 3).map(unescape);
      const range = decimalRange(number);
      if (!range) throw invalid('quantity');
      const base = system === UCUM && unit ? ucumBase(unit) : undefined;
      return {
        type: 'quantity',
        prefix,
        ...range,
        system: system || undefined,
        unit: unit || undefined,
        ...(base && {
          base: {
            value: toBase(range.value, base.factor),
            low: toBase(range.low, base.factor),
            high: toBase(range.high, base.factor),
            unit: base.unit,
          },
        }),
      };
    }
    case 'reference':
      return parseReferenceValue(param, unescape(raw), options);
    case 'composite': {
      const [first, second] = param.components;
      const parts = splitEscaped(raw, '$');
      if (param.components.length !== 2 || first.type !== 'token' || parts.length !== 2) {
        throw invalid('composite value (expected token$value)');
      }
      return {
        type: 'composite',
        first: parseToken(parts[0]),
        second: parseValue({ ...second, targets: [], components: [] }, parts[1]),
      };
    }
    default:
      throw badRequest(`Search parameter '${param.code}' of type ${param.type} is not supported`);
  }
}

function parseReferenceValue(
  param: Pick<SearchParamDef, 'targets'>,
  value: string,
  { baseUrl, referenceType }: { baseUrl?: string; referenceType?: string },
): SearchValue {
  // A bare id: the target type from `subject:Patient=`, else the parameter's only target, else any.
  if (!value.includes('/') && !value.includes(':')) {
    const only = param.targets.length === 1 ? param.targets[0] : undefined;
    return { type: 'reference', resourceType: referenceType ?? only, id: value };
  }
  if (value.includes('|') && !value.includes('/_history/')) return { type: 'reference', id: value };
  const parsed = parseReference(value, baseUrl);
  if (!parsed) throw badRequest(`Invalid reference '${value}'`);
  return { type: 'reference', resourceType: parsed.external ? undefined : parsed.type, id: parsed.id };
}
