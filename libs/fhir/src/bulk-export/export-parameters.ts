import type { Parameters } from 'fhir/r4';
import { badRequest, FhirError } from '../operation-outcome';
import { isResourceType } from '../search/search-parameter.registry';
import { parseSearchRequest } from '../search/search-request.parser';

/** Where an export starts: the whole store, every patient's compartment, or a Group's members. */
export type ExportLevel = 'system' | 'patient' | 'group';

/** The `_outputFormat` values that mean NDJSON (the only format the spec requires and the one we write). */
export const NDJSON_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'] as const;

/** The validated parameters of a kick-off, as stored on the job (JSON-safe). */
export interface ExportParameters {
  level: ExportLevel;
  groupId?: string;
  /** `_type`: undefined for every type the caller may read. */
  types?: string[];
  /** `_since` (exclusive), ISO instant. */
  since?: string;
  /** `_until` (inclusive), ISO instant; the job never goes past its transactionTime anyway. */
  until?: string;
  /** `_typeFilter`: per type, FHIR search queries (without `Type?`); a resource of that type is exported when it matches one. */
  typeFilters: Record<string, string[]>;
  /** `_elements`: element names for every type (`name`) or one type (`Patient.name`). */
  elements?: string[];
  /** `patient`: Patient ids whose compartments (and their persons' records) are exported. */
  patients?: string[];
}

export interface ParsedKickOff {
  parameters: ExportParameters;
  /** What lenient handling ignored (reported in the job's error file); empty when strict or all was understood. */
  ignored: string[];
}

const KNOWN = new Set(['_outputFormat', '_since', '_until', '_type', '_typeFilter', '_elements', 'patient']);
/** Parameters of the Bulk Data spec this server does not implement: refused by name, or ignored when lenient. */
const UNSUPPORTED = new Set(['includeAssociatedData', 'organizeOutputBy', 'allowPartialManifests']);

/**
 * Validates a `$export` kick-off (FHIR Bulk Data Access 2.0): each problem is a 400 OperationOutcome naming the
 * parameter or type, unless `lenient` (`Prefer: handling=lenient`), which drops what it does not understand and
 * lists it in `ignored` instead. Malformed values (a bad `_since`) are refused either way.
 */
export function parseExportKickOff(
  level: ExportLevel,
  params: [string, string][],
  options: { lenient?: boolean; groupId?: string; baseUrl?: string } = {},
): ParsedKickOff {
  const ignored: string[] = [];
  const problem = (message: string, expression: string) => {
    if (!options.lenient) throw badRequest(message, [expression]);
    ignored.push(message);
  };
  const parameters: ExportParameters = {
    level,
    ...(options.groupId ? { groupId: options.groupId } : {}),
    typeFilters: {},
  };
  const list = (name: string) =>
    params
      .filter(([key]) => key === name)
      .flatMap(([, value]) => value.split(','))
      .map((value) => value.trim())
      .filter(Boolean);

  for (const [key] of params) {
    if (KNOWN.has(key)) continue;
    problem(
      UNSUPPORTED.has(key)
        ? `The export parameter '${key}' is not supported`
        : `Unknown export parameter '${key}'`,
      key,
    );
  }

  for (const format of list('_outputFormat'))
    if (!(NDJSON_FORMATS as readonly string[]).includes(format))
      throw badRequest(`Unsupported _outputFormat '${format}': use application/fhir+ndjson`, ['_outputFormat']);

  const types = params.some(([key]) => key === '_type') ? list('_type') : undefined;
  if (types) {
    const known = types.filter((type) => {
      if (isResourceType(type)) return true;
      problem(`Unknown resource type '${type}' in _type`, '_type');
      return false;
    });
    parameters.types = [...new Set(known)];
  }

  for (const name of ['_since', '_until'] as const) {
    const values = list(name);
    if (values.length > 1) throw badRequest(`${name} may be given once`, [name]);
    if (values.length === 1) parameters[name === '_since' ? 'since' : 'until'] = instant(name, values[0]);
  }

  for (const [key, value] of params) {
    if (key !== '_typeFilter') continue;
    const filter = typeFilter(value, options.baseUrl);
    if (filter instanceof FhirError) {
      if (!options.lenient) throw filter;
      ignored.push(filter.message);
      continue;
    }
    if (parameters.types && !parameters.types.includes(filter.type)) {
      problem(`_typeFilter names ${filter.type}, which _type leaves out`, '_typeFilter');
      continue;
    }
    (parameters.typeFilters[filter.type] ??= []).push(filter.query);
  }

  const elements = list('_elements');
  if (elements.length) {
    parameters.elements = elements.filter((element) => {
      const [type, name] = element.includes('.') ? element.split('.', 2) : [undefined, element];
      if ((type === undefined || isResourceType(type)) && /^[a-z][A-Za-z0-9]*(\[x\])?$/.test(name ?? '')) return true;
      problem(`Invalid element '${element}' in _elements`, '_elements');
      return false;
    });
  }

  const patients = list('patient').map((reference) => {
    const id = /^(?:.*\/)?Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(reference)?.[1];
    if (!id) throw badRequest(`Invalid patient reference '${reference}'`, ['patient']);
    return id;
  });
  if (patients.length) {
    if (level === 'system') problem('The patient parameter applies to Patient and Group exports only', 'patient');
    else parameters.patients = [...new Set(patients)];
  }
  return { parameters, ignored };
}

/**
 * A POST kick-off's Parameters resource as (name, value) pairs: strings, instants and codes by value, `patient`
 * references by their reference.
 */
export function kickOffParametersOf(body: unknown): [string, string][] {
  if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0))
    return [];
  const resource = body as Parameters;
  if (resource.resourceType !== 'Parameters')
    throw badRequest('A POST $export takes a Parameters resource (or no body)');
  return (resource.parameter ?? []).flatMap((parameter): [string, string][] => {
    const value =
      parameter.valueString ??
      parameter.valueInstant ??
      parameter.valueDateTime ??
      parameter.valueCode ??
      parameter.valueReference?.reference;
    if (value === undefined) throw badRequest(`Parameter '${parameter.name}' has no value`, [parameter.name]);
    return [[parameter.name, value]];
  });
}

function instant(name: string, value: string): string {
  const valid = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value);
  const time = Date.parse(value);
  if (!valid || Number.isNaN(time)) throw badRequest(`Invalid ${name} '${value}': use a FHIR instant`, [name]);
  return new Date(time).toISOString();
}

function typeFilter(value: string, baseUrl?: string): { type: string; query: string } | FhirError {
  const at = value.indexOf('?');
  const type = at < 0 ? value : value.slice(0, at);
  if (!isResourceType(type)) return badRequest(`Unknown resource type '${type}' in _typeFilter`, ['_typeFilter']);
  const query = at < 0 ? '' : value.slice(at + 1);
  try {
    const request = parseSearchRequest(type, new URLSearchParams(query), { strict: true, baseUrl });
    const notFilters = [...new URLSearchParams(query).keys()].filter((key) => key.startsWith('_') && key !== '_id' && key !== '_lastUpdated' && key !== '_tag' && key !== '_profile' && key !== '_security');
    if (notFilters.length || request.includes.length || request.revincludes.length)
      return badRequest(`_typeFilter takes search filters only, not ${notFilters.join(', ') || '_include'}`, ['_typeFilter']);
  } catch (error) {
    if (error instanceof FhirError)
      return badRequest(`Invalid _typeFilter '${value}': ${error.message}`, ['_typeFilter']);
    throw error;
  }
  return { type, query };
}
