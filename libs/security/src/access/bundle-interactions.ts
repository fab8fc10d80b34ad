import { badRequest, FhirError } from '@continuum/fhir';
import type { Bundle } from 'fhir/r4';
import type { Interaction } from '../scopes/smart-scope.parser';

export interface BundleInteraction {
  resourceType: string;
  interaction: Interaction;
  /** A conditional create, update or delete: its criteria are a search of the type, which needs search scope. */
  conditional: boolean;
}

const BY_METHOD: Record<string, Interaction> = { POST: 'c', PUT: 'u', PATCH: 'u', DELETE: 'd' };

/**
 * What each entry of a transaction or batch would do, so scopes can be checked before any of it runs. (Everything
 * else about an entry, what it reads and changes, is checked by the caller's view as the entry runs.)
 */
export function bundleInteractions(bundle: Bundle, maxEntries: number): BundleInteraction[] {
  const entries = bundle.entry ?? [];
  if (entries.length > maxEntries)
    throw FhirError.of(
      413,
      'too-costly',
      `A bundle may have at most ${maxEntries} entries (got ${entries.length})`,
    );
  return entries.map((entry, i) => {
    const method = entry.request?.method ?? '';
    const url = entry.request?.url ?? '';
    const [path, query] = url.split('?');
    const segments = path.split('/').filter(Boolean);
    const resourceType = entry.resource?.resourceType ?? segments[0];
    if (!resourceType)
      throw badRequest(`Bundle entry ${i} names no resource type`, [`Bundle.entry[${i}].request.url`]);
    const interaction =
      method === 'GET' ? (segments.length > 1 && query === undefined ? 'r' : 's') : BY_METHOD[method];
    if (!interaction)
      throw badRequest(`Bundle entry ${i} has no valid request.method`, [
        `Bundle.entry[${i}].request.method`,
      ]);
    const conditional =
      method === 'GET' ? false : query !== undefined || (method === 'POST' && !!entry.request?.ifNoneExist);
    return { resourceType, interaction, conditional };
  });
}
