import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Operation } from 'fast-json-patch';
import type { Resource } from 'fhir/r4';
import { FhirRoute } from './fhir-interaction.decorator';
import { readReply, sendReply, writeReply } from './fhir-reply';
import { fhirHeaders, formParams, queryParams, rawQuery } from './fhir-request';
import { FhirService } from './fhir.service';

/**
 * Type- and instance-level interactions (`/[type]`, `/[type]/[id]`). Routes with literal segments come before the
 * ones they would otherwise match as an id.
 */
@Controller()
export class ResourceController {
  constructor(private readonly fhir: FhirService) {}

  @Get(':type/_history')
  @FhirRoute({ level: 'type', interaction: 'history-type', summary: 'History of all resources of a type' })
  async typeHistory(@Param('type') type: string, @Req() req: Request, @Res() res: Response) {
    const bundle = await this.fhir.history({ resourceType: type, params: queryParams(req) });
    sendReply(req, res, { status: 200, body: bundle });
  }

  @Post(':type/_search')
  @FhirRoute({ level: 'type', interaction: 'search-type', summary: 'Search (parameters in a form body)' })
  async searchByPost(@Param('type') type: string, @Req() req: Request, @Res() res: Response) {
    const { strict } = fhirHeaders(req);
    const bundle = await this.fhir.search({ resourceType: type, params: formParams(req), strict });
    sendReply(req, res, { status: 200, body: bundle });
  }

  @Get(':type')
  @FhirRoute({ level: 'type', interaction: 'search-type', summary: 'Search' })
  async search(@Param('type') type: string, @Req() req: Request, @Res() res: Response) {
    const { strict } = fhirHeaders(req);
    const bundle = await this.fhir.search({ resourceType: type, params: queryParams(req), strict });
    sendReply(req, res, { status: 200, body: bundle });
  }

  @Post(':type')
  @FhirRoute({
    level: 'type',
    interaction: 'create',
    conditional: true,
    summary: 'Create (If-None-Exist: conditional create)',
  })
  async create(
    @Param('type') type: string,
    @Body() body: Resource,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const headers = fhirHeaders(req);
    const result = await this.fhir.create(type, body, headers.ifNoneExist);
    sendReply(req, res, writeReply(result, headers, this.fhir.baseUrl));
  }

  @Put(':type')
  @FhirRoute({
    level: 'type',
    interaction: 'update',
    conditional: true,
    summary: 'Conditional update (criteria in the query)',
  })
  async conditionalUpdate(
    @Param('type') type: string,
    @Body() body: Resource,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const result = await this.fhir.conditionalUpdate(type, rawQuery(req), body);
    sendReply(req, res, writeReply(result, fhirHeaders(req), this.fhir.baseUrl));
  }

  @Delete(':type')
  @FhirRoute({
    level: 'type',
    interaction: 'delete',
    conditional: true,
    summary: 'Conditional delete (criteria in the query)',
  })
  async conditionalDelete(@Param('type') type: string, @Req() req: Request, @Res() res: Response) {
    const result = await this.fhir.conditionalDelete(type, rawQuery(req));
    sendReply(req, res, writeReply(result, fhirHeaders(req), this.fhir.baseUrl));
  }

  @Get(':type/:id/_history/:versionId')
  @FhirRoute({ level: 'instance', interaction: 'vread', summary: 'Read a version' })
  async vread(
    @Param('type') type: string,
    @Param('id') id: string,
    @Param('versionId') versionId: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const resource = await this.fhir.vread(type, id, versionId);
    sendReply(req, res, readReply(resource, fhirHeaders(req)));
  }

  @Get(':type/:id/_history')
  @FhirRoute({
    level: 'instance',
    interaction: 'history-instance',
    summary: 'History of a resource (deletions included)',
  })
  async instanceHistory(
    @Param('type') type: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const bundle = await this.fhir.history({ resourceType: type, id, params: queryParams(req) });
    sendReply(req, res, { status: 200, body: bundle });
  }

  @Get(':type/:id')
  @FhirRoute({
    level: 'instance',
    interaction: 'read',
    summary: 'Read (If-None-Match, If-Modified-Since: 304)',
  })
  async read(
    @Param('type') type: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const resource = await this.fhir.read(type, id);
    sendReply(req, res, readReply(resource, fhirHeaders(req)));
  }

  @Put(':type/:id')
  @FhirRoute({
    level: 'instance',
    interaction: 'update',
    summary: 'Update or create with this id (If-Match: 412 on another version)',
  })
  async update(
    @Param('type') type: string,
    @Param('id') id: string,
    @Body() body: Resource,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const headers = fhirHeaders(req);
    const result = await this.fhir.update(type, id, body, headers.ifMatch);
    sendReply(req, res, writeReply(result, headers, this.fhir.baseUrl));
  }

  @Patch(':type/:id')
  @FhirRoute({ level: 'instance', interaction: 'patch', summary: 'JSON Patch (application/json-patch+json)' })
  async patch(
    @Param('type') type: string,
    @Param('id') id: string,
    @Body() body: Operation[],
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const headers = fhirHeaders(req);
    const result = await this.fhir.patch(type, id, body, headers.ifMatch);
    sendReply(req, res, writeReply(result, headers, this.fhir.baseUrl));
  }

  @Delete(':type/:id')
  @FhirRoute({ level: 'instance', interaction: 'delete', summary: 'Delete (the history keeps the deletion)' })
  async delete(
    @Param('type') type: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const headers = fhirHeaders(req);
    const result = await this.fhir.delete(type, id, headers.ifMatch);
    sendReply(req, res, writeReply(result, headers, this.fhir.baseUrl));
  }
}
