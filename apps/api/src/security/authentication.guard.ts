import { ApiLimitsConfig } from '@continuum/config';
import { FhirError, tooManyRequests } from '@continuum/fhir';
import { accessContextFrom, callerFrom, JwtVerifier } from '@continuum/security';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { isPublicRoute } from './public-routes';
import type { AuthenticatedRequest } from './request.auditor';
import { TokenBuckets } from './token-bucket';

export const BREAK_GLASS_HEADER = 'x-break-glass-reason';
export type { AuthenticatedRequest } from './request.auditor';

/**
 * Every route but the public ones needs a valid bearer token (401 with WWW-Authenticate otherwise), within the
 * client's rate (429). The access context it builds is what the data-access layer enforces (AccessScopeInterceptor).
 * Its refusals are audited at the edge (RequestAuditor, from the exception filter) with what it learnt of the caller.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly buckets: TokenBuckets;

  constructor(
    private readonly verifier: JwtVerifier,
    limits: ApiLimitsConfig,
  ) {
    this.buckets = new TokenBuckets(limits.ratePerMinute, limits.rateBurst);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    if (isPublicRoute(request)) return true;
    request.authenticationTried = true;
    try {
      const token = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '')?.[1];
      if (!token) throw FhirError.of(401, 'login', 'A bearer access token is required');
      const claims = await this.verifier.verify(token);
      request.caller = callerFrom(claims);
      request.access = accessContextFrom(claims, { breakGlassReason: request.header(BREAK_GLASS_HEADER) });
    } catch (error) {
      this.limit(response, `address:${request.ip ?? 'unknown'}`);
      if (error instanceof FhirError && error.status === 401)
        response.setHeader(
          'WWW-Authenticate',
          `Bearer realm="continuum", error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"`,
        );
      throw error;
    }
    this.limit(response, `client:${request.access.clientId}`);
    return true;
  }

  private limit(response: Response, key: string): void {
    if (this.buckets.take(key)) return;
    response.setHeader('Retry-After', String(this.buckets.retryAfterSeconds()));
    throw tooManyRequests('Too many requests from this client; slow down');
  }
}
