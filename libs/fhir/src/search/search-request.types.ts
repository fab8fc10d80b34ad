import type { OperationOutcome } from 'fhir/r4';
import type { SearchParamType } from './search-parameter.types';

export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';
export const PREFIXES: readonly Prefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];

/** A token to match: `system` undefined = any system, null = no system (`|code`); `code` undefined = any code. */
export interface TokenValue {
  type: 'token';
  system?: string | null;
  code?: string;
}

/** One value of a search parameter, parsed by the parameter's type (escapes already removed). */
export type SearchValue =
  | { type: 'string'; text: string }
  | TokenValue
  | { type: 'date'; prefix: Prefix; start: number; end: number }
  | { type: 'number'; prefix: Prefix; value: string; low: string; high: string }
  | {
      type: 'quantity';
      prefix: Prefix;
      value: string;
      low: string;
      high: string;
      /** undefined = any system; unit undefined = any unit. */
      system?: string;
      unit?: string;
      /** For a UCUM unit: the value in base units, compared with the base-unit rows the index keeps. */
      base?: { value: string; low: string; high: string; unit: string };
    }
  /** `resourceType` undefined = any target type (a bare id whose target type is ambiguous). */
  | { type: 'reference'; resourceType?: string; id: string }
  | { type: 'uri'; value: string }
  | { type: 'composite'; first: TokenValue; second: SearchValue }
  | { type: 'missing'; missing: boolean };

export type StringModifier = 'exact' | 'contains';
/**
 * `person` (Continuum, issue #13): a reference to a Patient read as the person that patient is, i.e. every source
 * record the master patient index links to it. The store expands it before building SQL.
 */
export type Modifier = StringModifier | 'not' | 'above' | 'below' | 'person';

/**
 * One AND-ed criterion. `param`: the values are OR-ed (a comma list). Pseudo codes (`code:text`,
 * `identifier:of-type`, `subject:identifier`) address the rows that serve those modifiers.
 */
export type SearchFilter =
  | { kind: 'param'; code: string; type: SearchParamType; modifier?: Modifier; values: SearchValue[] }
  /** `subject:Patient.name=x`: resources whose `code` reference points at a target of these types matching `filter`. */
  | { kind: 'chain'; code: string; targetTypes: string[]; filter: SearchFilter }
  /** `_has:Observation:patient:code=x`: resources referred to by an Observation's `patient` that matches `filter`. */
  | { kind: 'has'; sourceType: string; referenceCode: string; filter: SearchFilter };

export interface SortKey {
  code: string;
  type: SearchParamType;
  descending: boolean;
}

/** `_include=Observation:subject:Patient` (targetType optional), or `_revinclude=Observation:subject`. */
export interface IncludeSpec {
  sourceType: string;
  code: string;
  targetType?: string;
  iterate: boolean;
}

export type TotalMode = 'none' | 'estimate' | 'accurate';
export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';

export interface SearchRequest {
  /** undefined for a system-level search (then `types` from `_type`, if given, restricts it). */
  resourceType?: string;
  types?: string[];
  filters: SearchFilter[];
  sort: SortKey[];
  count: number;
  /** Opaque keyset position from the previous page's `next` link. */
  cursor?: string;
  total: TotalMode;
  summary?: SummaryMode;
  elements?: string[];
  includes: IncludeSpec[];
  revincludes: IncludeSpec[];
  /** Parameters ignored (unknown or unsupported): a warning OperationOutcome for the Bundle, or undefined. */
  outcome?: OperationOutcome;
}

export interface ParseOptions {
  /** `Prefer: handling=strict`: unknown or unsupported parameters are an error (400) instead of ignored. */
  strict?: boolean;
  /** Our own base URL, so absolute references to this server compare as local ones. */
  baseUrl?: string;
  defaultCount?: number;
  maxCount?: number;
}
