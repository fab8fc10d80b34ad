import { HttpConfig } from '@continuum/config';
import { APP_LOGGER, type Logger } from '@continuum/observability';
import {
  type AccessContext,
  type AuditedCaller,
  AuditRecorder,
  callerFrom,
  JwtVerifier,
} from '@continuum/security';
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { accessRequestOf } from './access-request';
import { isPublicRoute } from './public-routes';

/** What the authentication guard leaves on a request for the audit. */
export type AuthenticatedRequest = Request & {
  access?: AccessContext;
  /** Who a valid token named, even when its access context was refused (403). */
  caller?: AuditedCaller;
  /** The guard ran: a request without `access` was refused there, and its token need not be read again. */
  authenticationTried?: boolean;
};

/**
 * The audit at the HTTP edge: a request that ends without any AuditEvent from the data layer (refused by the guard
 * or the rate limiter, refused input, an unknown route, an error outside the secured store) gets one here, with the
 * caller as far as its token tells and the patients the request names. Nothing the secured store audited is
 * audited again: the request's event count (AccessRequest.audited) decides.
 */
@Injectable()
export class RequestAuditor {
  private readonly baseUrl: string;

  constructor(
    private readonly audit: AuditRecorder,
    private readonly verifier: JwtVerifier,
    http: HttpConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
  }

  /** Audits an answer about to be sent (the exception filter awaits it) unless the request already has an event. */
  async beforeAnswer(
    request: Request,
    response: Response,
    status: number,
    description: string,
  ): Promise<void> {
    if (isPublicRoute(request)) return;
    const described = accessRequestOf(request, response, this.baseUrl);
    if (described.audited > 0) return;
    await this.audit.recordAnswer(described, {
      interaction: described.interaction ?? 'operation',
      status,
      description,
      caller: await this.callerOf(request as AuthenticatedRequest),
    });
  }

  /**
   * The backstop once an answer has gone: a request that reached neither the data layer nor the exception filter
   * (no known path does) is audited late rather than not at all, and logged so the gap gets closed.
   */
  async afterAnswer(request: Request, response: Response): Promise<void> {
    if (isPublicRoute(request) || accessRequestOf(request, response, this.baseUrl).audited > 0) return;
    this.logger.warn(
      { method: request.method, status: response.statusCode },
      'request answered without an AuditEvent; recorded after the answer',
    );
    await this.beforeAnswer(request, response, response.statusCode, `${response.statusCode} answered`).catch(
      (error: unknown) => this.logger.error({ err: String(error) }, 'audit of an answered request failed'),
    );
  }

  /** The caller: the guard's context, the subject of a refused token, or (the guard never ran) its token, if valid. */
  private async callerOf(request: AuthenticatedRequest): Promise<AuditedCaller | undefined> {
    if (request.access) return request.access;
    if (request.caller || request.authenticationTried) return request.caller;
    const token = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '')?.[1];
    if (!token) return undefined;
    return this.verifier
      .verify(token)
      .then((claims) => callerFrom(claims))
      .catch(() => undefined);
  }
}
