import { badRequest, FhirError } from '@continuum/fhir';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** Media types a FHIR request body may have: FHIR JSON, plain JSON, JSON Patch, and form posts to `_search` and `$op`. */
const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json-patch+json']);
const FORM = 'application/x-www-form-urlencoded';
/** Where a form body carries parameters: searches and operations invoked by POST. */
const FORM_PATHS = /\/(_search|\$[a-z-]+)$/i;

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Injection token of the largest accepted request body, in bytes. */
export const FHIR_MAX_BODY_BYTES = Symbol('FHIR_MAX_BODY_BYTES');

/**
 * Reads and parses FHIR request bodies with our own size limit and media types, so every refusal is an
 * OperationOutcome: 415 for another media type, 413 over the limit, 400 for malformed JSON.
 * A body Express's default JSON or form parser already read is kept as it is.
 */
@Injectable()
export class FhirBodyMiddleware implements NestMiddleware {
  constructor(@Inject(FHIR_MAX_BODY_BYTES) private readonly maxBytes: number) {}

  use(request: Request, _response: Response, next: NextFunction): void {
    if (!hasBody(request)) return next();
    const type = (request.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const form = type === FORM && FORM_PATHS.test(request.path);
    if (!form && !JSON_TYPES.has(type))
      return next(
        FhirError.of(
          415,
          'not-supported',
          `Unsupported Content-Type '${type || 'none'}': send application/fhir+json`,
        ),
      );
    if (request.readableEnded) return next(); // Express's own JSON or form parser took it
    const declared = Number(request.header('content-length') ?? 0);
    if (declared > this.maxBytes) return next(tooLarge(this.maxBytes));
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > this.maxBytes && !failed) {
        failed = true;
        next(tooLarge(this.maxBytes));
      }
      if (!failed) chunks.push(chunk);
    });
    request.on('error', (error) => failed || next(error));
    request.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        request.body = form ? formBody(text) : text.trim() ? (JSON.parse(text) as unknown) : undefined;
        next();
      } catch (error) {
        next(badRequest(`Malformed JSON body: ${(error as Error).message}`));
      }
    });
  }
}

/** A form body as Express's parser would give it: repeated names become arrays. */
function formBody(text: string): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const seen = body[key];
    body[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return body;
}

function hasBody(request: Request): boolean {
  return (
    request.header('transfer-encoding') !== undefined || Number(request.header('content-length') ?? 0) > 0
  );
}

function tooLarge(maxBytes: number): FhirError {
  return FhirError.of(413, 'too-costly', `Request body larger than ${maxBytes} bytes`);
}
