// What the search index stores for one resource: one row list per index table, each row tagged with its
// parameter code. Pure values; the store adds resource_type, resource_key and hashes token systems.

export interface StringRow {
  code: string;
  /** `foldText(exact)`: what default and `:contains` matching use. */
  value: string;
  exact: string;
}

export interface TokenRow {
  code: string;
  system?: string;
  value?: string;
}

/** Epoch-millisecond interval [start, end); open ends are ±Infinity. */
export interface DateRow {
  code: string;
  start: number;
  end: number;
}

/** Decimal text: a plain number has low = high; a Range keeps its bounds (missing bound: undefined). */
export interface NumberRow {
  code: string;
  low?: string;
  high?: string;
}

export interface QuantityRow extends NumberRow {
  system?: string;
  /** The coded unit (Quantity.code), else the human unit. */
  unit?: string;
  /** The human unit (Quantity.unit) when it differs from the code, so `5.4||mg` matches either. */
  unitText?: string;
  /** The UCUM base-unit copy of the stated quantity before it (`5.4 mg` → `0.0054 g`); see quantitiesOf. */
  canonical?: true;
}

export interface ReferenceRow {
  code: string;
  targetType?: string;
  /** The target's id on this server, or the URL (another server's, `urn:`, a canonical) when not local. */
  targetId: string;
}

export interface UriRow {
  code: string;
  value: string;
}

/** The second component of a composite (the first is always a token): one of the typed shapes. */
export type CompositeValue =
  | { type: 'token'; system?: string; value?: string }
  | { type: 'string' | 'uri' | 'reference'; value: string }
  | { type: 'number'; low?: string; high?: string }
  | { type: 'quantity'; low?: string; high?: string; system?: string; unit?: string; canonical?: true }
  | { type: 'date'; start: number; end: number };

export interface CompositeRow {
  code: string;
  system?: string;
  value?: string;
  second: CompositeValue;
}

export interface IndexRows {
  string: StringRow[];
  token: TokenRow[];
  date: DateRow[];
  number: NumberRow[];
  quantity: QuantityRow[];
  reference: ReferenceRow[];
  uri: UriRow[];
  composite: CompositeRow[];
}

export type IndexTable = keyof IndexRows;

export const INDEX_TABLES: readonly IndexTable[] = [
  'string',
  'token',
  'date',
  'number',
  'quantity',
  'reference',
  'uri',
  'composite',
];

/** Pseudo parameter codes for rows that serve modifiers (`name:text` is searched like a string parameter). */
export const textCode = (code: string) => `${code}:text`;
export const ofTypeCode = (code: string) => `${code}:of-type`;
export const identifierCode = (code: string) => `${code}:identifier`;
