import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { RequestAuditor } from './request.auditor';

/** Every request, once answered: the audit backstop (RequestAuditor.afterAnswer). */
@Injectable()
export class RequestAuditMiddleware implements NestMiddleware {
  constructor(private readonly auditor: RequestAuditor) {}

  use(request: Request, response: Response, next: NextFunction): void {
    response.once('finish', () => void this.auditor.afterAnswer(request, response));
    next();
  }
}
