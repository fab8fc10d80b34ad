import { ApiLimitsConfig } from '@continuum/config';
import { FhirError, tooManyRequests } from '@continuum/fhir';
import { workerShareOf } from '@continuum/observability';
import {
  accessContextFrom,
  callerFrom,
  JwtVerifier,
  PersonScope,
  type ScopeContext,
} from '@continuum/security';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { isPublicRoute } from './public-routes';
import type { AuthenticatedRequest } from './request.auditor';
import { TokenBuckets } from './token-bucket';

export const BREAK_GLASS_HEADER = 'x-break-glass-reason';
export type { AuthenticatedRequest } from './request.auditor';

/** Rate classes: the token's context (system/, user/, patient/), or a caller refused at authentication. */
type RateClass = ScopeContext | 'refused';

/**
 * Every route but the public ones needs a valid bearer token (401 with WWW-Authenticate otherwise), within the
 * client's rate for its class of token (429; a refused caller: its address's). The access context it builds is what
 * the data-access layer enforces (AccessScopeInterceptor). Its refusals are audited at the edge (RequestAuditor,
 * from the exception filter) with what it learnt of the caller.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly buckets: Record<RateClass, TokenBuckets>;
  /** The configured rates, for the message (each worker's buckets hold its share). */
  private readonly perMinute: Record<RateClass, number>;

  constructor(
    private readonly verifier: JwtVerifier,
    private readonly persons: PersonScope,
    limits: ApiLimitsConfig,
  ) {
    // Each API worker holds its share of the configured rates (connections are spread round-robin over workers).
    const buckets = (perMinute: number, burst: number) =>
      new TokenBuckets(workerShareOf(perMinute), workerShareOf(burst));
    this.buckets = {
      system: buckets(limits.systemRatePerMinute, limits.systemRateBurst),
      user: buckets(limits.userRatePerMinute, limits.userRateBurst),
      patient: buckets(limits.patientRatePerMinute, limits.patientRateBurst),
      refused: buckets(limits.refusedRatePerMinute, limits.refusedRateBurst),
    };
    this.perMinute = {
      system: limits.systemRatePerMinute,
      user: limits.userRatePerMinute,
      patient: limits.patientRatePerMinute,
      refused: limits.refusedRatePerMinute,
    };
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
      this.limit(response, 'refused', request.ip ?? 'unknown');
      if (error instanceof FhirError && error.status === 401)
        response.setHeader(
          'WWW-Authenticate',
          `Bearer realm="continuum", error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"`,
        );
      throw error;
    }
    this.limit(response, request.access.context, request.access.clientId);
    // a patient/ token reaches every record of its person (a store fault here is a 503, not a refused caller)
    request.access = await this.persons.widen(request.access);
    return true;
  }

  private limit(response: Response, rateClass: RateClass, key: string): void {
    const buckets = this.buckets[rateClass];
    if (buckets.take(key)) return;
    response.setHeader('Retry-After', String(buckets.retryAfterSeconds()));
    throw tooManyRequests(
      rateClass === 'refused'
        ? 'Too many refused requests from this address; slow down'
        : `Too many requests from this client (${rateClass}/ tokens: ${this.perMinute[rateClass]} a minute); slow down`,
    );
  }
}
