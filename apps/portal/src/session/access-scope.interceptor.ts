import { currentCorrelationId } from '@continuum/observability';
import { runWithAccess } from '@continuum/security';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { accessOf } from './portal-access';
import type { PortalRequest } from './portal-request';

/**
 * Runs a signed-in user's page inside their access scope, so every read through the secured store is checked and
 * audited as theirs. The audited URL is the path only: query strings may carry tokens or identifiers.
 */
@Injectable()
export class AccessScopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<PortalRequest>();
    const session = request.session;
    if (!session) return next.handle();
    const described = {
      method: request.method,
      url: request.path,
      correlationId: currentCorrelationId(),
      patientIds: session.patientId ? [session.patientId] : [],
      audited: 0,
    };
    return new Observable((subscriber) =>
      runWithAccess(accessOf(session), described, () => next.handle().subscribe(subscriber)),
    );
  }
}
