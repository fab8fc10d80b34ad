import { APP_LOGGER, type Logger } from '@continuum/observability';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { holdAnswerUntilDurable } from '../http/answer-gate';
import { ANSWER_GATE, type GatedRequest } from './access-request';
import { RequestAuditor } from './request.auditor';

/**
 * Every request: its answer held until the AuditEvents of what it discloses are durable (holdAnswerUntilDurable,
 * installed before anything else wraps the response), and, once answered, the audit backstop
 * (RequestAuditor.afterAnswer).
 */
@Injectable()
export class RequestAuditMiddleware implements NestMiddleware {
  constructor(
    private readonly auditor: RequestAuditor,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  use(request: Request, response: Response, next: NextFunction): void {
    (request as GatedRequest)[ANSWER_GATE] = holdAnswerUntilDurable(response, (error) =>
      this.logger.error({ err: String(error) }, 'audit of an answer failed; a 503 goes instead'),
    );
    response.once('finish', () => void this.auditor.afterAnswer(request, response));
    next();
  }
}
