import { isObject, isType, type PathNode } from './fhirpath-nodes';
import { UCUM, ucumBase } from './ucum';

// A FHIRPath union (`a | b`) removes duplicates by FHIRPath equality (fhirpath.js `distinctFn`). The index rows of
// two identical values are identical, so a compiled union may keep every value and let the rows be deduplicated;
// only where FHIRPath equality is looser than identity could fhirpath.js drop a value whose rows differ:
// - numbers are compared rounded to 1e-8 (anywhere in a value);
// - dates, date-times and instants are compared as instants (another zone or precision);
// - UCUM quantities are compared as quantities (1 g = 1000 mg; `unit` text ignored), and one with a comparator,
//   or a unit fhirpath.js cannot convert, makes it throw.
// `distinctKeepsAll` says whether the values can be kept as they are; when it cannot be sure it says no, and the
// input is evaluated by fhirpath.js.

/** The paths fhirpath.js converts to its own date types before comparing (`TypeInfo.typeToClassWithCheckString`). */
export const DATE_PATHS: ReadonlySet<string> = new Set(['date', 'dateTime', 'instant', 'time']);

export function distinctKeepsAll(nodes: PathNode[]): boolean {
  if (nodes.length < 2) return true;
  const quantities: Record<string, unknown>[] = [];
  const others: { data: unknown; isDate: boolean }[] = [];
  let numbers = false;
  for (const { data, path } of nodes) {
    if (path !== null && isType(path, 'Quantity') && isUcumQuantity(data)) {
      if (data.comparator !== undefined || !ucumBase(data.code as string)) return false;
      quantities.push(data);
    } else {
      if (typeof data === 'number') numbers = true;
      others.push({ data, isDate: path !== null && DATE_PATHS.has(path) });
    }
  }
  if (quantities.length > 0 && numbers) return false; // a decimal can equal a quantity of unit '1'
  for (let i = 0; i < quantities.length; i++)
    for (let j = i + 1; j < quantities.length; j++)
      if (quantitiesCouldBeEqual(quantities[i], quantities[j])) return false;
  return others.length <= PAIRWISE ? noCloseTwins(others) : noCloseTwins(others, looseKey);
}

/** Up to this many values are compared pair by pair (most comparisons stop at the first key or text). */
const PAIRWISE = 8;

/**
 * No two values close (FHIRPath might call them equal) without being identical; with `key`, only values of the
 * same loose key are compared.
 */
function noCloseTwins(
  values: { data: unknown; isDate: boolean }[],
  key?: (value: unknown, isDate: boolean) => string,
): boolean {
  const groups = key ? new Map<string, typeof values>() : new Map([['', values]]);
  if (key)
    for (const value of values) {
      const k = key(value.data, value.isDate);
      const group = groups.get(k);
      if (group) group.push(value);
      else groups.set(k, [value]);
    }
  for (const group of groups.values())
    for (let i = 0; i < group.length; i++)
      for (let j = i + 1; j < group.length; j++) {
        const [a, b] = [group[i], group[j]];
        if (compare(a.data, b.data, a.isDate && b.isDate) === 'close') return false;
      }
  return true;
}

/** The values fhirpath.js compares as UCUM quantities (`ResourceNode.convertData`). */
function isUcumQuantity(data: unknown): data is Record<string, unknown> {
  return (
    isObject(data) && data.system === UCUM && typeof data.value === 'number' && typeof data.code === 'string'
  );
}

/** FHIRPath compares value and code only, converting units: equal unless the amounts clearly differ. */
function quantitiesCouldBeEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (compare(a, b, false) === 'same') return false;
  const baseA = ucumBase(a.code as string);
  const baseB = ucumBase(b.code as string);
  if (!baseA || !baseB) return true;
  if (baseA.unit !== baseB.unit) return false;
  return close((a.value as number) * baseA.factor, (b.value as number) * baseB.factor, 1e-6);
}

/**
 * A key equal for any two values FHIRPath equality could call equal (many values are then grouped by it), cheap to
 * make: the value itself for strings
 * and booleans, a placeholder for numbers and top-level dates, the sorted keys and primitive members of an object,
 * the length of an array. Values with the same key are then compared in depth.
 */
function looseKey(value: unknown, isDate: boolean): string {
  if (isDate && typeof value === 'string') return '#date';
  if (Array.isArray(value)) return `[${value.length}]`;
  if (!isObject(value)) return primitiveKey(value);
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${primitiveKey(value[key])}`)
    .join(',')}}`;
}

function primitiveKey(value: unknown): string {
  if (typeof value === 'number') return '#';
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? '[]' : '{}';
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * Two values in depth: identical, clearly different (FHIRPath equality says no: other keys, lengths, strings, or
 * numbers beyond its rounding), or close (FHIRPath might call them equal).
 */
function compare(a: unknown, b: unknown, isDate: boolean): 'same' | 'close' | 'different' {
  if (a === b) return 'same';
  if (isDate && typeof a === 'string' && typeof b === 'string') return 'close';
  if (typeof a === 'number' && typeof b === 'number') return close(a, b, 0) ? 'close' : 'different';
  const pairs: [unknown, unknown][] = [];
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return 'different';
    a.forEach((item, i) => pairs.push([item, b[i]]));
  } else if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return 'different';
    for (const key of keys) {
      if (!Object.prototype.hasOwnProperty.call(b, key)) return 'different';
      pairs.push([a[key], b[key]]);
    }
  } else return 'different';
  let result: 'same' | 'close' = 'same';
  for (const [x, y] of pairs) {
    const each = compare(x, y, false);
    if (each === 'different') return 'different';
    if (each === 'close') result = 'close';
  }
  return result;
}

/** Within FHIRPath's rounding (1e-8) with a wide margin, or within `relative` of the larger magnitude. */
function close(a: number, b: number, relative: number): boolean {
  return Math.abs(a - b) <= 1e-7 + Math.max(relative, 1e-12) * Math.max(Math.abs(a), Math.abs(b));
}
