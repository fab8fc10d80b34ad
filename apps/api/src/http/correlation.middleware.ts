import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { acceptCorrelationId, CORRELATION_HEADER, runWithCorrelationId } from '@continuum/observability';

/** Runs the rest of the request inside its correlation id, so logs and Kafka messages it causes carry it. */
@Injectable()
export class CorrelationMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const id = acceptCorrelationId(
      response.getHeader(CORRELATION_HEADER) ?? request.headers[CORRELATION_HEADER],
    );
    response.setHeader(CORRELATION_HEADER, id);
    runWithCorrelationId(id, next);
  }
}
