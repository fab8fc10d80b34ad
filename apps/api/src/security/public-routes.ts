import type { Request } from 'express';

/**
 * Routes that need no token: those describing the server or its health (no patient data, nothing audited), and the
 * SMART authorize and token endpoints, which OAuth clients call without one (they audit every answer themselves).
 */
const PUBLIC = [
  /^\/health(\/|$)/,
  /^\/metrics$/,
  /^\/fhir\/metadata$/,
  /^\/fhir\/openapi\.json$/,
  /^(\/fhir)?\/\.well-known\/smart-configuration$/,
  /^\/auth\/(authorize|token)$/,
];

export function isPublicRoute(request: Request): boolean {
  return PUBLIC.some((pattern) => pattern.test(request.path));
}
