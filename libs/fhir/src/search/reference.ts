import { isResourceType } from './search-parameter.registry';

/**
 * A reference as the index keeps it: local targets by type and id; anything else (another server's URL, `urn:uuid:`,
 * a canonical) by its URL in `id`, with the type when the URL shows one.
 */
export interface ParsedReference {
  type?: string;
  id: string;
  /** True when `id` is a URL that is not on this server. */
  external: boolean;
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;
const ABSOLUTE = /^(?:https?:\/\/.+\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/** Removes a trailing slash so `http://x/fhir/` and `http://x/fhir` compare equal. */
export function normaliseBaseUrl(baseUrl: string | undefined): string | undefined {
  return baseUrl?.replace(/\/+$/, '') || undefined;
}

/**
 * Parses a literal reference (`Patient/1`, `Patient/1/_history/2`, `https://our.base/Patient/1`, another server's
 * URL, `urn:uuid:...`). Our own base URL is stripped, so absolute and relative references to one of our resources
 * index the same. Contained references (`#x`) have no target outside the resource: undefined.
 */
export function parseReference(
  reference: string,
  baseUrl?: string,
  declaredType?: string,
): ParsedReference | undefined {
  const value = reference.trim();
  if (!value || value.startsWith('#')) return undefined;
  const base = normaliseBaseUrl(baseUrl);
  const local = base && value.startsWith(`${base}/`) ? value.slice(base.length + 1) : value;
  const relative = RELATIVE.exec(local);
  if (relative && isResourceType(relative[1])) return { type: relative[1], id: relative[2], external: false };
  const absolute = ABSOLUTE.exec(value);
  const type = absolute && isResourceType(absolute[1]) ? absolute[1] : declaredType;
  return { type, id: value, external: true };
}
