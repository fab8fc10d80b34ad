import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Resource } from 'fhir/r4';
import { FhirRoute } from './fhir-interaction.decorator';
import { sendReply } from './fhir-reply';
import { fhirHeaders, formParams, queryParams } from './fhir-request';
import { FhirService } from './fhir.service';

/** System-level interactions at the FHIR base: transaction/batch, history, search across types (`_type`). */
@Controller()
export class SystemController {
  constructor(private readonly fhir: FhirService) {}

  @Post()
  @FhirRoute({
    level: 'system',
    interactions: ['transaction', 'batch'],
    summary: 'Transaction or batch Bundle',
  })
  async bundle(@Body() body: Resource, @Req() req: Request, @Res() res: Response) {
    sendReply(req, res, { status: 200, body: await this.fhir.processBundle(body) });
  }

  @Get('_history')
  @FhirRoute({ level: 'system', interactions: ['history-system'], summary: 'History of every resource' })
  async history(@Req() req: Request, @Res() res: Response) {
    sendReply(req, res, { status: 200, body: await this.fhir.history({ params: queryParams(req) }) });
  }

  @Get()
  @FhirRoute({ level: 'system', interactions: ['search-system'], summary: 'Search across types (_type)' })
  async search(@Req() req: Request, @Res() res: Response) {
    const { strict } = fhirHeaders(req);
    const bundle = await this.fhir.search({ params: queryParams(req), strict });
    sendReply(req, res, { status: 200, body: bundle });
  }

  @Post('_search')
  @FhirRoute({ level: 'system', interactions: ['search-system'], summary: 'Search across types (form body)' })
  async searchByPost(@Req() req: Request, @Res() res: Response) {
    const { strict } = fhirHeaders(req);
    const bundle = await this.fhir.search({ params: formParams(req), strict });
    sendReply(req, res, { status: 200, body: bundle });
  }
}
