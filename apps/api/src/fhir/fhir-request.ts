import { badRequest } from '@continuum/fhir';
import type { Request } from 'express';

export type PreferReturn = 'minimal' | 'representation' | 'OperationOutcome';

/** The FHIR headers a request may carry, read once at the edge. */
export interface FhirRequestHeaders {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: Date;
  ifNoneExist?: string;
  preferReturn: PreferReturn;
  /** `Prefer: handling=strict`: unknown search parameters are a 400 instead of a warning. */
  strict: boolean;
}

export function fhirHeaders(request: Request): FhirRequestHeaders {
  const prefer = preferences(request.header('prefer'));
  const since = request.header('if-modified-since');
  const ifModifiedSince = since === undefined ? undefined : new Date(since);
  if (ifModifiedSince && Number.isNaN(ifModifiedSince.getTime()))
    throw badRequest(`Invalid If-Modified-Since '${since}'`);
  const preferReturn = prefer.get('return') ?? 'representation';
  if (!['minimal', 'representation', 'OperationOutcome'].includes(preferReturn))
    throw badRequest(`Invalid Prefer return=${preferReturn}`);
  return {
    ifMatch: request.header('if-match'),
    ifNoneMatch: request.header('if-none-match'),
    ifModifiedSince,
    ifNoneExist: request.header('if-none-exist'),
    preferReturn: preferReturn as PreferReturn,
    strict: prefer.get('handling') === 'strict',
  };
}

function preferences(header: string | undefined): Map<string, string> {
  return new Map(
    (header ?? '')
      .split(/[;,]/)
      .map((part) => part.trim().split('='))
      .filter(([key, value]) => key && value)
      .map(([key, value]) => [key.toLowerCase(), value.replace(/^"|"$/g, '')]),
  );
}

/** The query string as ordered pairs (repeats kept: repeated search parameters are AND-ed). */
export function queryParams(request: Request): [string, string][] {
  const query = request.originalUrl.includes('?')
    ? request.originalUrl.slice(request.originalUrl.indexOf('?') + 1)
    : '';
  return [...new URLSearchParams(query).entries()];
}

/** The query string's raw text (conditional update/delete criteria), without the leading `?`. */
export function rawQuery(request: Request): string {
  const at = request.originalUrl.indexOf('?');
  return at < 0 ? '' : request.originalUrl.slice(at + 1);
}

/** POST `_search`: the form body's parameters, then the query string's. */
export function formParams(request: Request): [string, string][] {
  const body: unknown = request.body;
  const fromBody =
    body && typeof body === 'object' && !Array.isArray(body)
      ? Object.entries(body as Record<string, unknown>).flatMap(([key, value]) =>
          (Array.isArray(value) ? value : [value])
            .filter((item): item is string => typeof item === 'string')
            .map((item): [string, string] => [key, item]),
        )
      : [];
  return [...fromBody, ...queryParams(request)];
}
