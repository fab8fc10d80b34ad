import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { CapabilityStatement } from 'fhir/r4';
import { buildCapabilityStatement } from './capability-statement.builder';
import { FhirRoute } from './fhir-interaction.decorator';
import { sendReply } from './fhir-reply';
import { FHIR_ROUTES, type FhirRouteEntry } from './fhir-route.table';
import { FhirService } from './fhir.service';
import { buildOpenApi, type OpenApiDocument } from './openapi.builder';

/** `metadata` (the CapabilityStatement) and `openapi.json`, both built once from the route table. */
@Controller()
export class CapabilityController {
  private readonly statement: CapabilityStatement;
  private readonly openApi: OpenApiDocument;

  constructor(@Inject(FHIR_ROUTES) routes: FhirRouteEntry[], fhir: FhirService) {
    this.statement = buildCapabilityStatement(routes, fhir.baseUrl);
    this.openApi = buildOpenApi(routes, fhir.baseUrl);
  }

  @Get('metadata')
  @FhirRoute({ level: 'meta', summary: 'CapabilityStatement: what this server implements' })
  metadata(@Req() req: Request, @Res() res: Response): void {
    sendReply(req, res, { status: 200, body: this.statement });
  }

  @Get('openapi.json')
  @FhirRoute({ level: 'meta', summary: 'This OpenAPI description' })
  openapi(@Res() res: Response): void {
    res.json(this.openApi);
  }
}
