import type { Request } from 'express';

/** Routes that describe the server or its health and carry no patient data: no token needed, nothing audited. */
const PUBLIC = [/^\/health(\/|$)/, /^\/metrics$/, /^\/fhir\/metadata$/, /^\/fhir\/openapi\.json$/];

export function isPublicRoute(request: Request): boolean {
  return PUBLIC.some((pattern) => pattern.test(request.path));
}
