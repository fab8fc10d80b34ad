import { CORRELATION_HEADER } from '@continuum/observability';
import type { AccessRequest } from '@continuum/security';
import type { Request, Response } from 'express';

/** What the audit names of an HTTP request: method, URL and the correlation id the edge gave it. */
export function accessRequestOf(request: Request, response: Response): AccessRequest {
  const correlation = response.getHeader(CORRELATION_HEADER);
  return {
    method: request.method,
    url: request.originalUrl,
    correlationId: typeof correlation === 'string' ? correlation : undefined,
  };
}
