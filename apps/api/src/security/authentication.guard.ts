import { ApiLimitsConfig } from '@continuum/config';
import { FhirError, tooManyRequests } from '@continuum/fhir';
import {
  type AccessContext,
  accessContextFrom,
  AuditRecorder,
  JwtVerifier,
  PersonScope,
} from '@continuum/security';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { accessRequestOf } from './access-request';
import { TokenBuckets } from './token-bucket';

/** Routes that describe the server or its health and carry no patient data. */
const PUBLIC = [/^\/health(\/|$)/, /^\/metrics$/, /^\/fhir\/metadata$/, /^\/fhir\/openapi\.json$/];
export const BREAK_GLASS_HEADER = 'x-break-glass-reason';

export type AuthenticatedRequest = Request & { access?: AccessContext };

/**
 * Every route but the public ones needs a valid bearer token (401 with WWW-Authenticate otherwise), within the
 * client's rate (429). The access context it builds is what the data-access layer enforces (AccessScopeInterceptor).
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly buckets: TokenBuckets;

  constructor(
    private readonly verifier: JwtVerifier,
    private readonly audit: AuditRecorder,
    private readonly persons: PersonScope,
    limits: ApiLimitsConfig,
  ) {
    this.buckets = new TokenBuckets(limits.ratePerMinute, limits.rateBurst);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    if (PUBLIC.some((pattern) => pattern.test(request.path))) return true;
    try {
      const token = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '')?.[1];
      if (!token) throw FhirError.of(401, 'login', 'A bearer access token is required');
      const claims = await this.verifier.verify(token);
      request.access = accessContextFrom(claims, { breakGlassReason: request.header(BREAK_GLASS_HEADER) });
    } catch (error) {
      this.limit(response, `address:${request.ip ?? 'unknown'}`);
      if (error instanceof FhirError && error.status === 401)
        response.setHeader(
          'WWW-Authenticate',
          `Bearer realm="continuum", error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"`,
        );
      await this.audit.recordRejectedCaller(accessRequestOf(request, response), describe(error));
      throw error;
    }
    this.limit(response, `client:${request.access.clientId}`);
    // a patient/ token reaches every record of its person (a store fault here is a 503, not a refused caller)
    request.access = await this.persons.widen(request.access);
    return true;
  }

  private limit(response: Response, key: string): void {
    if (this.buckets.take(key)) return;
    response.setHeader('Retry-After', String(this.buckets.retryAfterSeconds()));
    throw tooManyRequests('Too many requests from this client; slow down');
  }
}

function describe(error: unknown): string {
  return error instanceof FhirError ? `${error.status} ${error.message}` : 'authentication failed';
}
