import { HttpConfig } from '@continuum/config';
import { runWithAccess } from '@continuum/security';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { Response } from 'express';
import { accessRequestOf } from './access-request';
import type { AuthenticatedRequest } from './authentication.guard';

/**
 * Runs the handler inside the caller's access scope, so the secured store and searcher see who is asking however
 * deep the call. Set here rather than in a middleware: body-parsing stream events would not carry it.
 */
@Injectable()
export class AccessScopeInterceptor implements NestInterceptor {
  private readonly baseUrl: string;

  constructor(http: HttpConfig) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const access = request.access;
    if (!access) return next.handle();
    const response = context.switchToHttp().getResponse<Response>();
    const described = accessRequestOf(request, response, this.baseUrl);
    return new Observable((subscriber) =>
      runWithAccess(access, described, () => next.handle().subscribe(subscriber)),
    );
  }
}
