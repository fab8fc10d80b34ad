import { CORRELATION_HEADER } from '@continuum/observability';
import { type AccessRequest, describeRequest } from '@continuum/security';
import type { Request, Response } from 'express';
import { REFUSED_BODY } from '../fhir/fhir-body.middleware';

const DESCRIBED = Symbol('continuum:access-request');
/** The request's answer gate (RequestAuditMiddleware), handed to the audit through its AccessRequest. */
export const ANSWER_GATE = Symbol('continuum:answer-gate');
export type GatedRequest = Request & { [ANSWER_GATE]?: AccessRequest['holdAnswer'] };
type DescribedRequest = GatedRequest & { [DESCRIBED]?: AccessRequest; [REFUSED_BODY]?: string };

const FORM = 'application/x-www-form-urlencoded';

/**
 * What the audit names of an HTTP request: method, URL, the correlation id the edge gave it, and the patients and
 * resource instance it names. Made once per request and kept on it, so the data layer (through the access scope)
 * and the edge share one object, and with it the count of events recorded for the request.
 */
export function accessRequestOf(request: Request, response: Response, baseUrl?: string): AccessRequest {
  const described = request as DescribedRequest;
  if (described[DESCRIBED]) return described[DESCRIBED];
  const correlation = response.getHeader(CORRELATION_HEADER);
  const subjects = describeRequest({
    method: request.method,
    path: request.path.replace(/^\/fhir(?=\/|$)/, ''),
    params: paramsOf(request),
    body: request.body,
    refusedBody: described[REFUSED_BODY],
    baseUrl,
  });
  described[DESCRIBED] = {
    method: request.method,
    url: request.originalUrl,
    correlationId: typeof correlation === 'string' ? correlation : undefined,
    ...subjects,
    audited: 0,
    ...(described[ANSWER_GATE] ? { holdAnswer: described[ANSWER_GATE] } : {}),
  };
  return described[DESCRIBED];
}

/** The query string's pairs, a conditional create's criteria, and a `_search` form's fields. */
function paramsOf(request: Request): [string, string][] {
  const query = request.originalUrl.includes('?')
    ? request.originalUrl.slice(request.originalUrl.indexOf('?') + 1)
    : '';
  const params: [string, string][] = [...new URLSearchParams(query)];
  const criteria = request.header('if-none-exist');
  if (criteria) params.push(...new URLSearchParams(criteria.replace(/^[^?]*\?/, '')));
  const body: unknown = request.body;
  if (request.is(FORM) && body && typeof body === 'object')
    for (const [key, value] of Object.entries(body as Record<string, unknown>))
      for (const item of Array.isArray(value) ? value : [value])
        if (typeof item === 'string') params.push([key, item]);
  return params;
}
