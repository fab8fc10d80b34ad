import { FhirError } from '@continuum/fhir';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** `_format` values and Accept media types we answer (JSON only); XML and anything else is a 406. */
const JSON_FORMATS = new Set([
  'json',
  'application/json',
  'application/fhir+json',
  'application/json+fhir',
  '*/*',
  'application/*',
  // Bulk Data files: newline-delimited FHIR JSON
  'application/fhir+ndjson',
  'application/ndjson',
]);

/** What `ViewDefinition/$run` writes besides JSON (SQL on FHIR: csv and ndjson). */
const VIEW_FORMATS = new Set([
  'csv',
  'text/csv',
  'ndjson',
  'application/x-ndjson',
  'application/ndjson',
  'application/fhir+ndjson',
]);

/** Refuses, with a 406 OperationOutcome, requests asking only for formats we do not produce (XML, Turtle). */
@Injectable()
export class ContentNegotiationMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    const format = typeof request.query._format === 'string' ? request.query._format : undefined;
    const wanted = format !== undefined ? [format] : acceptedTypes(request.header('accept'));
    const formats = request.path.endsWith('/$run')
      ? new Set([...JSON_FORMATS, ...VIEW_FORMATS])
      : JSON_FORMATS;
    if (wanted.length === 0 || wanted.some((type) => formats.has(type.toLowerCase()))) return next();
    next(
      FhirError.of(
        406,
        'not-supported',
        `Cannot answer in ${wanted.join(', ')}: this server speaks FHIR JSON only (application/fhir+json)`,
      ),
    );
  }
}

function acceptedTypes(accept: string | undefined): string[] {
  return (accept ?? '')
    .split(',')
    .map((part) => part.split(';')[0].trim())
    .filter(Boolean);
}
