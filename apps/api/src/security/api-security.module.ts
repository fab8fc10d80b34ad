import { SecurityModule } from '@continuum/security';
import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AccessScopeInterceptor } from './access-scope.interceptor';
import { AuthenticationGuard } from './authentication.guard';
import { RequestAuditMiddleware } from './request-audit.middleware';
import { RequestAuditor } from './request.auditor';
import { SecurityHeadersMiddleware } from './security-headers.middleware';

/**
 * Authentication on every route, the caller's access scope for the data layer, rate limits, security headers, and
 * the audit of requests answered before any data access (RequestAuditor, used by the exception filter).
 */
@Module({
  imports: [SecurityModule.forRoot({ observer: 'continuum-api' })],
  providers: [
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_INTERCEPTOR, useClass: AccessScopeInterceptor },
    RequestAuditor,
  ],
  exports: [RequestAuditor],
})
export class ApiSecurityModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SecurityHeadersMiddleware, RequestAuditMiddleware).forRoutes('*path');
  }
}
