import { badRequest, FhirError } from '@continuum/fhir';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const MAX_BYTES = 8 * 1024;

/**
 * The authorization server's bodies: a form (token endpoint) or JSON (launch registration), at most 8 KiB. The API
 * parses FHIR bodies only under /fhir, so these routes read their own; anything else is a 400/413/415.
 */
@Injectable()
export class SmallBodyMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    const type = (request.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BYTES && !failed) {
        failed = true;
        next(FhirError.of(413, 'too-costly', `The body exceeds ${MAX_BYTES} bytes`));
      } else chunks.push(chunk);
    });
    request.on('error', (error) => {
      if (!failed) next(error);
      failed = true;
    });
    request.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        if (!text) request.body = {};
        else if (type === 'application/x-www-form-urlencoded')
          request.body = Object.fromEntries(new URLSearchParams(text));
        else if (type === 'application/json') request.body = JSON.parse(text) as unknown;
        else
          throw FhirError.of(
            415,
            'not-supported',
            'Send application/x-www-form-urlencoded or application/json',
          );
        next();
      } catch (error) {
        next(error instanceof FhirError ? error : badRequest('The body is not well-formed'));
      }
    });
  }
}
