import { badRequest, isKnownResourceType, type Problem } from '@continuum/fhir';
import type { Operation } from 'fast-json-patch';
import type { Binary, BundleEntry, Resource } from 'fhir/r4';

export type EntryMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A bundle entry's request, narrowed and checked once. */
export interface ParsedEntry {
  index: number;
  fullUrl?: string;
  method: EntryMethod;
  resourceType: string;
  id?: string;
  versionId?: string;
  /** Search criteria of a conditional PUT/DELETE (query string, no `?`), or of a GET search. */
  criteria?: string;
  resource?: Resource;
  patch?: Operation[];
  ifMatch?: string;
  ifNoneExist?: string;
}

const METHODS: readonly EntryMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Parses every entry; returns all problems (each located at its entry) rather than stopping at the first. */
export function parseEntries(
  entries: BundleEntry[],
  baseUrl: string | undefined,
): { parsed: ParsedEntry[]; problems: Problem[] } {
  const parsed: ParsedEntry[] = [];
  const problems: Problem[] = [];
  entries.forEach((entry, index) => {
    try {
      parsed.push(parseEntry(entry, index, baseUrl));
    } catch (error) {
      problems.push({
        code: 'invalid',
        diagnostics: (error as Error).message,
        expression: [`Bundle.entry[${index}].request`],
      });
    }
  });
  return { parsed, problems };
}

function parseEntry(entry: BundleEntry, index: number, baseUrl: string | undefined): ParsedEntry {
  const method = entry.request?.method?.toUpperCase() as EntryMethod | undefined;
  if (!method || !METHODS.includes(method))
    throw new Error(`entry.request.method is missing or not supported`);
  const rawUrl = entry.request?.url;
  if (!rawUrl) throw new Error('entry.request.url is missing');
  const url =
    baseUrl && rawUrl.startsWith(`${baseUrl.replace(/\/$/, '')}/`)
      ? rawUrl.slice(baseUrl.replace(/\/$/, '').length + 1)
      : rawUrl;
  const [path, query] = splitOnce(url.replace(/^\//, ''), '?');
  const [resourceType, id, history, versionId, ...rest] = path.split('/');
  if (
    !isKnownResourceType(resourceType) ||
    rest.length > 0 ||
    (history !== undefined && history !== '_history')
  ) {
    throw new Error(
      `entry.request.url '${rawUrl}' is not Type, Type/id, Type?criteria or Type/id/_history/vid`,
    );
  }
  const result: ParsedEntry = {
    index,
    fullUrl: entry.fullUrl,
    method,
    resourceType,
    id: id || undefined,
    versionId: versionId || undefined,
    criteria: query || undefined,
    ifMatch: entry.request?.ifMatch,
    ifNoneExist: entry.request?.ifNoneExist,
  };
  if (method === 'POST' || method === 'PUT') {
    if (!entry.resource) throw new Error(`${method} needs entry.resource`);
    if (entry.resource.resourceType !== resourceType) {
      throw new Error(
        `entry.resource is a ${entry.resource.resourceType} but the request URL is for ${resourceType}`,
      );
    }
    if (method === 'PUT' && !result.id && !result.criteria)
      throw new Error('PUT needs Type/id or Type?criteria');
    if (method === 'PUT' && result.id && entry.resource.id !== result.id) {
      throw new Error(
        `entry.resource.id '${entry.resource.id ?? ''}' does not match the request URL id '${result.id}'`,
      );
    }
    result.resource = structuredClone(entry.resource);
  }
  if (method === 'PATCH') {
    if (!result.id) throw new Error('PATCH needs Type/id');
    result.patch = jsonPatchOf(entry.resource);
  }
  if (method === 'DELETE' && !result.id && !result.criteria)
    throw new Error('DELETE needs Type/id or Type?criteria');
  return result;
}

/** A JSON Patch travels in a transaction as a Binary of content type application/json-patch+json. */
function jsonPatchOf(resource: Resource | undefined): Operation[] {
  const binary = resource as Binary | undefined;
  if (
    binary?.resourceType !== 'Binary' ||
    !binary.data ||
    !/json-patch\+json/.test(binary.contentType ?? '')
  ) {
    throw badRequest('PATCH in a bundle needs a Binary resource of contentType application/json-patch+json');
  }
  const operations: unknown = JSON.parse(Buffer.from(binary.data, 'base64').toString('utf8'));
  if (!Array.isArray(operations)) throw badRequest('The JSON Patch document must be an array');
  return operations as Operation[];
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
