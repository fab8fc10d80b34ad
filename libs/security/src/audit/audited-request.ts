import { isResourceType, parseReference, patientCompartmentsOf } from '@continuum/fhir';
import type { AuditedInteraction } from './audit-event.builder';

/** A FHIR id: what may name a patient or a resource in an audit row (anything else is not recorded). */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export interface RequestInput {
  method: string;
  /** The path below the FHIR base, percent-encoded as sent (`Patient/123/$everything`). */
  path: string;
  /** Search or criteria parameters: the query string, a `_search` form, an `If-None-Exist` header. */
  params: [string, string][];
  /** The parsed body, only when it passed the edge's input checks. */
  body?: unknown;
  /** The text of a body the edge refused: never parsed here, only scanned for literal Patient references. */
  refusedBody?: string;
  baseUrl?: string;
}

/** What an audit row names about a request, before (or without) any data access. */
export interface DescribedRequest {
  interaction: AuditedInteraction;
  /** Patients the request names: in its path, its parameters, or the resources its body carries. */
  patientIds: string[];
  /** The resource instance its path names (not a Patient: that is in `patientIds`), if any. */
  instance?: { resourceType: string; id: string };
}

/**
 * The interaction a request asks for and the patients it names, read from the request alone, so that a request
 * refused before it reaches the data (no token, a scope, the rate limit, malformed input) is still recorded under
 * the patients it concerned. Pure and total: hostile input gives less, never an exception.
 */
export function describeRequest(input: RequestInput): DescribedRequest {
  const segments = input.path
    .split('?')[0]
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
  const patients = new Set<string>();
  const [type, id] = segments;
  let instance: DescribedRequest['instance'];
  if (type && isResourceType(type) && id && FHIR_ID.test(id)) {
    if (type === 'Patient') patients.add(id);
    else instance = { resourceType: type, id };
  }
  for (const patient of namedInParams(type, input.params, input.baseUrl)) patients.add(patient);
  for (const patient of namedInBody(input.body, input.baseUrl)) patients.add(patient);
  for (const patient of referencedInText(input.refusedBody)) patients.add(patient);
  return {
    interaction: interactionOf(input.method.toUpperCase(), segments, input.body),
    patientIds: [...patients].filter((patient) => FHIR_ID.test(patient)).sort(),
    ...(instance ? { instance } : {}),
  };
}

function interactionOf(method: string, segments: string[], body: unknown): AuditedInteraction {
  const [a, b, c, d] = segments;
  if (segments.some((segment) => segment.startsWith('$'))) return 'operation';
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (!a) return 'search-system';
      if (a === '_history') return 'history-system';
      if (!b) return 'search-type';
      if (b === '_history') return 'history-type';
      if (!c) return 'read';
      if (c === '_history') return d ? 'vread' : 'history-instance';
      return 'operation';
    case 'POST':
      if (!a) return isBatch(body) ? 'batch' : 'transaction';
      if (a === '_search') return 'search-system';
      if (b === '_search') return 'search-type';
      return b ? 'operation' : 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'operation';
  }
}

function isBatch(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'batch';
}

/** `patient=X`, `subject=Patient/X`, `subject:Patient=X`, `Patient?_id=X`, chains and lists alike. */
function* namedInParams(
  type: string | undefined,
  params: [string, string][],
  baseUrl: string | undefined,
): Generator<string> {
  for (const [key, value] of params) {
    // a chain's value (`subject:Patient.name=smith`) names the chained parameter's value, not a patient
    const [name, modifier] = key.includes('.') ? [] : key.split(':');
    const bare = name === 'patient' || modifier === 'Patient' || (type === 'Patient' && name === '_id');
    for (const raw of value.split(',')) {
      const item = raw.trim();
      if (bare && FHIR_ID.test(item)) yield item;
      else yield* patientReferenced(item, baseUrl);
    }
  }
}

function* patientReferenced(reference: string, baseUrl: string | undefined): Generator<string> {
  if (!reference.includes('Patient/')) return;
  const parsed = parseReference(reference.split('?')[0], baseUrl);
  if (parsed && !parsed.external && parsed.type === 'Patient') yield parsed.id;
}

/** The patients in whose compartments a body's resources lie, and those a bundle entry's URL names. */
function namedInBody(body: unknown, baseUrl: string | undefined): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  try {
    const resource = body as { resourceType?: unknown; entry?: unknown };
    if (typeof resource.resourceType !== 'string' || !isResourceType(resource.resourceType)) return [];
    if (resource.resourceType !== 'Bundle' || !Array.isArray(resource.entry))
      return patientCompartmentsOf(resource as never, { baseUrl });
    return (resource.entry as { resource?: unknown; request?: { url?: unknown } }[]).flatMap((entry) => [
      ...namedInBody(entry?.resource, baseUrl),
      ...(typeof entry?.request?.url === 'string' ? [...entryUrlPatients(entry.request.url, baseUrl)] : []),
    ]);
  } catch {
    return []; // a body the validator will refuse anyway: it names nobody we can tell
  }
}

/** At most this many patients are read from a refused body (its text can be 10 MiB of anything). */
const MAX_REFUSED_BODY_PATIENTS = 20;

/** `Patient/<id>` written literally in a refused body's text, relative or after any base URL. */
function referencedInText(text: string | undefined): string[] {
  if (!text) return [];
  const found = new Set<string>();
  for (const match of text.matchAll(/(?:^|[^A-Za-z0-9])Patient\/([A-Za-z0-9\-.]{1,64})(?![A-Za-z0-9\-.])/g)) {
    found.add(match[1]);
    if (found.size >= MAX_REFUSED_BODY_PATIENTS) break;
  }
  return [...found];
}

function* entryUrlPatients(url: string, baseUrl: string | undefined): Generator<string> {
  const [path, query = ''] = url.split('?');
  const described = describeRequest({
    method: 'GET',
    path,
    params: [...new URLSearchParams(query)],
    baseUrl,
  });
  yield* described.patientIds;
  yield* patientReferenced(path, baseUrl);
}
