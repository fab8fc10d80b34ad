import { ApiLimitsConfig } from '@continuum/config';
import { badRequest, FhirError } from '@continuum/fhir';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import {
  checkBundleRequests,
  checkJsonPatch,
  checkJsonText,
  checkJsonValue,
  checkParams,
} from './request-input';

/** Where the body parser leaves the text of a body it refused, for the audit to read patient references from. */
export const REFUSED_BODY = Symbol('continuum:refused-body');

/** Media types a FHIR request body may have: FHIR JSON, plain JSON, JSON Patch, and form posts to `_search` and `$op`. */
const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json-patch+json']);
const FORM = 'application/x-www-form-urlencoded';
/** Where a form body carries parameters: searches and operations invoked by POST. */
const FORM_PATHS = /\/(_search|\$[a-z-]+)$/i;

/**
 * Reads and parses FHIR request bodies with our own size limit and media types, so every refusal is an
 * OperationOutcome: 415 for another media type, 413 over the limit (MAX_BODY_BYTES), 400 for malformed JSON and for
 * what the input checks refuse (request-input.ts: nesting deeper than MAX_JSON_DEPTH, prototype keys, control
 * characters, hostile bundle entry URLs, form parameters). `request.body` is only set for a body that passed; the
 * text of one refused is kept aside (REFUSED_BODY) for the audit.
 * A body Express's default JSON or form parser already read is kept as it is.
 */
@Injectable()
export class FhirBodyMiddleware implements NestMiddleware {
  private readonly maxBytes: number;

  constructor(private readonly limits: ApiLimitsConfig) {
    this.maxBytes = limits.maxBodyBytes;
  }

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
        request.body = form ? this.form(text) : this.json(text, type);
      } catch (error) {
        // kept aside, unparsed, so the audit of the refusal can name the patients it references
        (request as Request & { [REFUSED_BODY]?: string })[REFUSED_BODY] = text;
        return next(error);
      }
      next();
    });
  }

  private json(text: string, type: string): unknown {
    if (!text.trim()) return undefined;
    checkJsonText(text, this.limits.maxJsonDepth);
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch (error) {
      throw badRequest(`Malformed JSON body: ${(error as Error).message}`);
    }
    checkJsonValue(body);
    if (type === 'application/json-patch+json' || Array.isArray(body)) checkJsonPatch(body);
    checkBundleRequests(body, this.limits);
    return body;
  }

  private form(text: string): Record<string, string | string[]> {
    const pairs = [...new URLSearchParams(text)];
    checkParams(pairs, this.limits);
    return formBody(pairs);
  }
}

/** A form body as Express's parser would give it: repeated names become arrays. No prototype to reach. */
function formBody(pairs: [string, string][]): Record<string, string | string[]> {
  const body = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of pairs) {
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
