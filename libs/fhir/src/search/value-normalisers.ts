import type {
  Address,
  CodeableConcept,
  Coding,
  ContactPoint,
  HumanName,
  Identifier,
  Period,
  Quantity,
  Range,
  Reference,
  Timing,
} from 'fhir/r4';
import { dateRange, OPEN_END, OPEN_START } from './date-range';
import { decimalRange } from './decimal-range';
import type { PathValue } from './fhirpath.evaluator';
import { parseReference } from './reference';
import { toBase, UCUM, ucumBase } from './ucum';

// Turn FHIRPath results (typed FHIR values) into index values, one converter per search parameter type.
// Each reads the FHIR data types the R4 spec lists for that search type and ignores the rest.

export interface TokenValue {
  system?: string;
  value?: string;
}
export interface Interval {
  start: number;
  end: number;
}
export interface NumberValue {
  low?: string;
  high?: string;
}
export interface QuantityValue extends NumberValue {
  system?: string;
  unit?: string;
  unitText?: string;
  /** The UCUM base-unit copy of a stated quantity: only a search with a convertible UCUM unit compares it. */
  canonical?: true;
}
export interface ReferenceValue {
  targetType?: string;
  targetId: string;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;

function defined<T>(values: (T | undefined)[]): T[] {
  return values.filter((value): value is T => value !== undefined);
}

/** Strings: plain strings, and every part of a HumanName or Address (so `name=pet` finds given name Peter). */
export function stringsOf({ type, value }: PathValue): string[] {
  switch (type) {
    case 'HumanName': {
      const name = value as HumanName;
      const parts = [...(name.given ?? []), name.family, ...(name.prefix ?? []), ...(name.suffix ?? [])];
      const full = [...(name.given ?? []), name.family].filter(Boolean).join(' ');
      return unique(defined([name.text, full, ...parts].map(text)));
    }
    case 'Address': {
      const address = value as Address;
      const parts = [address.text, ...(address.line ?? []), address.city, address.district, address.state];
      return unique(defined([...parts, address.postalCode, address.country].map(text)));
    }
    default:
      return typeof value === 'object' ? [] : defined([text(value)]);
  }
}

/** Tokens with the display texts that `:text` searches; Identifier types give `:of-type` tokens. */
export function tokensOf({ type, value }: PathValue): {
  tokens: TokenValue[];
  texts: string[];
  ofType: TokenValue[];
} {
  const none = { tokens: [], texts: [], ofType: [] };
  switch (type) {
    case 'Coding': {
      const coding = value as Coding;
      return { tokens: [codingToken(coding)], texts: defined([text(coding.display)]), ofType: [] };
    }
    case 'CodeableConcept': {
      const concept = value as CodeableConcept;
      const codings = concept.coding ?? [];
      return {
        tokens: codings.map(codingToken),
        texts: unique(defined([text(concept.text), ...codings.map((coding) => text(coding.display))])),
        ofType: [],
      };
    }
    case 'Identifier': {
      const identifier = value as Identifier;
      const typeCodings = identifier.type?.coding ?? [];
      return {
        tokens: [{ system: text(identifier.system), value: text(identifier.value) }],
        texts: defined([text(identifier.type?.text)]),
        // `identifier:of-type=typeSystem|typeCode|value`: stored as system = type system, value = `code|value`.
        ofType: identifier.value
          ? typeCodings.map((coding) => ({
              system: text(coding.system),
              value: `${coding.code ?? ''}|${identifier.value}`,
            }))
          : [],
      };
    }
    case 'ContactPoint': {
      const point = value as ContactPoint;
      return { tokens: [{ system: text(point.system), value: text(point.value) }], texts: [], ofType: [] };
    }
    case 'boolean':
      return { tokens: [{ value: String(value) }], texts: [], ofType: [] };
    default: {
      const code = text(value);
      return code !== undefined && typeof value !== 'object'
        ? { tokens: [{ value: code }], texts: [], ofType: [] }
        : none;
    }
  }
}

function codingToken(coding: Coding): TokenValue {
  return { system: text(coding.system), value: text(coding.code) };
}

/** Dates as intervals: a date or time at its precision, a Period from its start to its end, a Timing's events. */
export function datesOf({ type, value }: PathValue): Interval[] {
  switch (type) {
    case 'Period':
      return defined([periodInterval(value as Period)]);
    case 'Timing': {
      const timing = value as Timing;
      const events = defined((timing.event ?? []).map((event) => dateRange(event)));
      const bounds = timing.repeat?.boundsPeriod ? periodInterval(timing.repeat.boundsPeriod) : undefined;
      return bounds ? [...events, bounds] : events;
    }
    default:
      return typeof value === 'string' ? defined([dateRange(value)]) : [];
  }
}

function periodInterval(period: Period): Interval | undefined {
  const start = period.start ? dateRange(period.start)?.start : OPEN_START;
  const end = period.end ? dateRange(period.end)?.end : OPEN_END;
  if (start === undefined || end === undefined || (start === OPEN_START && end === OPEN_END))
    return undefined;
  if (start <= end) return { start, end };
  // An inverted period (invariant per-1 broken by a source): the span covering both ends, so it is still found and
  // every stored interval keeps start ≤ end, which the searcher's date bounds rely on.
  return { start: dateRange(period.end!)!.start, end: dateRange(period.start!)!.end };
}

/** Plain numbers are stored exactly (low = high); the precision range applies to the search value, not to data. */
export function numbersOf({ type, value }: PathValue): NumberValue[] {
  if (type === 'Range') {
    const range = value as Range;
    const low = exact(range.low?.value);
    const high = exact(range.high?.value);
    return low || high ? [{ low, high }] : [];
  }
  const number = exact(value);
  return number ? [{ low: number, high: number }] : [];
}

function exact(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? decimalRange(String(value))?.value : undefined;
}

/**
 * Quantity-like types (Quantity, Age, Duration, Money...) and Ranges of them. A UCUM quantity is also stored in base
 * units (`5.4 mg` → `0.0054 g`, marked canonical), which is what UCUM searches compare, so commensurable units match;
 * every other search compares the stated value.
 */
export function quantitiesOf(value: PathValue): QuantityValue[] {
  return quantityValues(value).flatMap((quantity) => {
    const base = quantity.system === UCUM && quantity.unit ? ucumBase(quantity.unit) : undefined;
    if (!base || base.unit === quantity.unit) return [quantity];
    const scale = (bound: string | undefined) =>
      bound === undefined ? undefined : toBase(bound, base.factor);
    return [
      quantity,
      {
        low: scale(quantity.low),
        high: scale(quantity.high),
        system: UCUM,
        unit: base.unit,
        canonical: true,
      },
    ];
  });
}

function quantityValues({ type, value }: PathValue): QuantityValue[] {
  if (type === 'Range') {
    const range = value as Range;
    const unitOf = range.low ?? range.high;
    const [bounds] = numbersOf({ type, value });
    return bounds && unitOf ? [{ ...bounds, ...units(unitOf) }] : [];
  }
  if (type === 'Money') {
    const money = value as { value?: number; currency?: string };
    const amount = exact(money.value);
    return amount
      ? [{ low: amount, high: amount, system: 'urn:iso:std:iso:4217', unit: money.currency }]
      : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  const quantity = value as Quantity;
  const amount = exact(quantity.value);
  return amount ? [{ low: amount, high: amount, ...units(quantity) }] : [];
}

function units(quantity: Quantity): Omit<QuantityValue, 'low' | 'high'> {
  const unit = text(quantity.code) ?? text(quantity.unit);
  const unitText = text(quantity.unit) !== unit ? text(quantity.unit) : undefined;
  return { system: text(quantity.system), unit, unitText };
}

/** References: literal (local or URL), canonicals (`url` and `url|version`), plus logical identifiers. */
export function referencesOf(
  { type, value }: PathValue,
  baseUrl?: string,
): { references: ReferenceValue[]; identifiers: TokenValue[] } {
  if (type === 'Reference') {
    const reference = value as Reference;
    const parsed = reference.reference
      ? parseReference(reference.reference, baseUrl, reference.type)
      : undefined;
    const identifier = reference.identifier;
    return {
      references: parsed ? [{ targetType: parsed.type, targetId: parsed.id }] : [],
      identifiers: identifier?.value ? [{ system: text(identifier.system), value: identifier.value }] : [],
    };
  }
  if (typeof value !== 'string' || value === '') return { references: [], identifiers: [] };
  const [url, version] = value.split('|');
  const parsed = parseReference(url, baseUrl);
  const references: ReferenceValue[] = parsed ? [{ targetType: parsed.type, targetId: parsed.id }] : [];
  if (version) references.push({ targetType: parsed?.type, targetId: value });
  return { references, identifiers: [] };
}

/** URIs are matched exactly (or by `:above`/`:below` on path segments): stored as written. */
export function urisOf({ value }: PathValue): string[] {
  return typeof value === 'string' && value !== '' ? [value] : [];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
