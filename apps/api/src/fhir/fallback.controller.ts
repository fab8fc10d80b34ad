import { isResourceType, FhirError, notFound } from '@continuum/fhir';
import { All, Controller, Req } from '@nestjs/common';
import type { Request } from 'express';

/**
 * Registered last: a FHIR path no route took. A known resource path with another method is a 405, anything else
 * a 404, both as OperationOutcomes.
 */
@Controller()
export class FallbackController {
  @All('{*path}')
  unmatched(@Req() request: Request): never {
    const [first] = request.path.replace(/^\/fhir\/?/, '').split('/');
    if (first === '' || first === 'metadata' || first === '_history' || isResourceType(first))
      throw FhirError.of(405, 'not-supported', `${request.method} is not supported on ${request.path}`);
    throw notFound(`No FHIR route for ${request.path}: unknown resource type '${first}'`);
  }
}
