import { IdentifierSystem } from '../identifier-systems';
import { badRequest, notSupported } from '../operation-outcome';

/** `Patient?_query=pdqm&…`: the named query (R4 `_query`) that asks for demographic patient finding (IHE PDQm). */
export const PDQM_QUERY = 'pdqm';

/** A PDQm (IHE ITI-78) patient search, as the patient finder takes it. */
export interface PdqmQuery {
  family?: string;
  given?: string;
  /** YYYY-MM-DD. */
  birthDate?: string;
  gender?: 'male' | 'female' | 'other' | 'unknown';
  postcode?: string;
  nhsNumber?: string;
  /** Persons (not records) to return. */
  count: number;
}

export const PDQM_DEFAULT_COUNT = 10;
export const PDQM_MAX_COUNT = 50;

/** Parameters that say nothing about whom to find: accepted and left alone. */
const NEUTRAL = new Set(['_query', '_format', '_pretty', '_count']);
const GENDERS = new Set(['male', 'female', 'other', 'unknown']);

/** True when a Patient search asks for PDQm patient finding (`_query=pdqm`) rather than R4 search in the store. */
export function isPdqmSearch(resourceType: string | undefined, params: readonly [string, string][]): boolean {
  return (
    resourceType === 'Patient' && params.some(([key, value]) => key === '_query' && value === PDQM_QUERY)
  );
}

/**
 * The PDQm parameters this server matches on: family, given, birthdate (a day), address-postalcode, gender and
 * identifier (the NHS number). Any other parameter is refused (400) rather than silently ignored, since dropping a
 * criterion would widen the search; at least one of names, birth date or NHS number is needed.
 */
export function parsePdqmQuery(params: readonly [string, string][]): PdqmQuery {
  const query: PdqmQuery = { count: PDQM_DEFAULT_COUNT };
  const seen = new Set<string>();
  for (const [key, raw] of params) {
    const value = raw.trim();
    if (NEUTRAL.has(key) && key !== '_count') continue;
    if (seen.has(key)) throw badRequest(`PDQm: '${key}' may be given once`);
    seen.add(key);
    switch (key) {
      case '_count':
        if (!/^\d+$/.test(value) || Number(value) < 1) throw badRequest(`Invalid _count '${raw}'`);
        query.count = Math.min(Number(value), PDQM_MAX_COUNT);
        break;
      case 'family':
      case 'given':
        if (value) query[key] = value;
        break;
      case 'birthdate':
        if (!/^\d{4}-\d{2}-\d{2}$/.test(value))
          throw badRequest(`PDQm: birthdate takes one day (YYYY-MM-DD), not '${raw}'`, ['birthdate']);
        query.birthDate = value;
        break;
      case 'gender':
        if (!GENDERS.has(value)) throw badRequest(`PDQm: unknown gender '${raw}'`, ['gender']);
        query.gender = value as PdqmQuery['gender'];
        break;
      case 'address-postalcode':
        if (value) query.postcode = value;
        break;
      case 'identifier': {
        const [system, code] = value.includes('|') ? value.split('|') : [undefined, value];
        if (system !== IdentifierSystem.nhsNumber || !code)
          throw badRequest(`PDQm: identifier takes an NHS number (${IdentifierSystem.nhsNumber}|<number>)`, [
            'identifier',
          ]);
        query.nhsNumber = code;
        break;
      }
      default:
        throw notSupported(
          `PDQm (_query=pdqm) matches on family, given, birthdate, address-postalcode, gender and identifier; '${key}' is not supported`,
        );
    }
  }
  if (!query.family && !query.given && !query.birthDate && !query.nhsNumber)
    throw badRequest('PDQm: give at least a family or given name, a birthdate or an NHS number');
  return query;
}
