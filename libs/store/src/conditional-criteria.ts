import { badRequest } from '@continuum/fhir';

/**
 * Canonical form of search criteria (`identifier=a|1&active=true` and `active=true&identifier=a|1` are the
 * same condition), used as the advisory lock key that serialises conditional writes on one condition.
 * Accepts `Type?query` or a bare query (If-None-Exist gives the latter).
 */
export function normaliseCriteria(resourceType: string, criteria: string): string {
  const query = criteria.includes('?') ? criteria.slice(criteria.indexOf('?') + 1) : criteria;
  const prefix = criteria.includes('?') ? criteria.slice(0, criteria.indexOf('?')) : resourceType;
  if (prefix !== resourceType) throw badRequest(`Criteria '${criteria}' are not for ${resourceType}`);
  const pairs = [...new URLSearchParams(query).entries()].filter(([name]) => name !== '');
  if (pairs.length === 0)
    throw badRequest(`Conditional operation on ${resourceType} without search criteria`);
  pairs.sort(([a, x], [b, y]) => (a === b ? compare(x, y) : compare(a, b)));
  return new URLSearchParams(pairs).toString();
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** `W/"3"`, `"3"` or `3` → 3; anything else is a 400. */
export function parseVersionTag(tag: string | number): number {
  if (typeof tag === 'number' && Number.isInteger(tag)) return tag;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(String(tag).trim());
  if (!match) throw badRequest(`Invalid If-Match version '${tag}'`);
  return Number(match[1]);
}

export const etagOf = (versionId: number) => `W/"${versionId}"`;
