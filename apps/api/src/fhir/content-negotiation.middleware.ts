import { FhirError, viewOutputFormat } from '@continuum/fhir';
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

/** The view operations, which also write CSV, NDJSON and Parquet (SQL on FHIR; `viewOutputFormat` names them). */
const VIEW_OPERATION = /\/\$(run|viewdefinition-export)$/;

/** Refuses, with a 406 OperationOutcome, requests asking only for formats we do not produce (XML, Turtle). */
@Injectable()
export class ContentNegotiationMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    const format = typeof request.query._format === 'string' ? request.query._format : undefined;
    const wanted = format !== undefined ? [format] : acceptedTypes(request.header('accept'));
    const view = VIEW_OPERATION.test(request.path);
    const answerable = (type: string) =>
      JSON_FORMATS.has(type.toLowerCase()) || (view && viewOutputFormat(type) !== undefined);
    if (wanted.length === 0 || wanted.some(answerable)) return next();
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
