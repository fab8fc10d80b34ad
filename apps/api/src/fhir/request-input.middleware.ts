import { ApiLimitsConfig } from '@continuum/config';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { checkPath, checkQuery } from './request-input';

/**
 * First on every FHIR request: its path, query string and `If-None-Exist` criteria pass the input checks
 * (request-input.ts) before anything routes or parses them, so hostile input is a 400 naming the problem.
 * The body's checks are the body parser's (FhirBodyMiddleware).
 */
@Injectable()
export class RequestInputMiddleware implements NestMiddleware {
  constructor(private readonly limits: ApiLimitsConfig) {}

  use(request: Request, _response: Response, next: NextFunction): void {
    try {
      checkPath(request.path);
      const question = request.originalUrl.indexOf('?');
      checkQuery(question < 0 ? '' : request.originalUrl.slice(question + 1), this.limits);
      const criteria = request.header('if-none-exist');
      if (criteria !== undefined)
        checkQuery(criteria.replace(/^[^?]*\?/, ''), this.limits, 'If-None-Exist criterion');
      next();
    } catch (error) {
      next(error);
    }
  }
}
