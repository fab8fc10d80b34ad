import { BulkExportService, type KickOff } from '@continuum/export';
import {
  type ExportLevel,
  informational,
  kickOffParametersOf,
  VIEW_MEDIA_TYPES,
  viewOutputFormat,
} from '@continuum/fhir';
import { Controller, Delete, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FhirRoute } from './fhir-interaction.decorator';
import { FHIR_JSON, sendReply } from './fhir-reply';
import { queryParams } from './fhir-request';

const EXPORT_PARAMETERS = ['_outputFormat', '_since', '_until', '_type', '_typeFilter', '_elements', 'patient'];
const exportRoute = (resourceType: string | undefined, summary: string) =>
  FhirRoute({
    level: 'operation',
    name: 'export',
    resourceType,
    definition:
      resourceType === 'Group'
        ? 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export'
        : resourceType === 'Patient'
          ? 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export'
          : 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export',
    parameters: EXPORT_PARAMETERS,
    summary,
  });
const NDJSON = 'application/fhir+ndjson';
/** Bulk Data files are NDJSON; an extract's are CSV and its manifest JSON; a view export's as its format. */
const contentTypeOf = (name: string) => {
  const extension = name.slice(name.lastIndexOf('.') + 1);
  const format = extension === 'ndjson' ? undefined : viewOutputFormat(extension);
  return format ? VIEW_MEDIA_TYPES[format] : NDJSON;
};

/**
 * FHIR Bulk Data Access (docs/bulk-export.md): kick-off at system, Patient and Group level (GET, or POST with a
 * Parameters body), the status URL (poll, DELETE to cancel) and the files. The work is BulkExportService's.
 */
@Controller()
export class BulkExportController {
  constructor(private readonly exports: BulkExportService) {}

  @Get('$export')
  @exportRoute(undefined, 'Bulk Data export of the whole record (asynchronous)')
  system(@Req() req: Request, @Res() res: Response) {
    return this.kickOff('system', undefined, req, res);
  }

  @Post('$export')
  @exportRoute(undefined, 'Bulk Data export of the whole record (Parameters body)')
  systemByPost(@Req() req: Request, @Res() res: Response) {
    return this.kickOff('system', undefined, req, res);
  }

  @Get('Patient/$export')
  @exportRoute('Patient', "Bulk Data export of patients' records (asynchronous)")
  patient(@Req() req: Request, @Res() res: Response) {
    return this.kickOff('patient', undefined, req, res);
  }

  @Post('Patient/$export')
  @exportRoute('Patient', "Bulk Data export of patients' records (Parameters body)")
  patientByPost(@Req() req: Request, @Res() res: Response) {
    return this.kickOff('patient', undefined, req, res);
  }

  @Get('Group/:id/$export')
  @exportRoute('Group', "Bulk Data export of a Group's members' records (asynchronous)")
  group(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    return this.kickOff('group', id, req, res);
  }

  @Post('Group/:id/$export')
  @exportRoute('Group', "Bulk Data export of a Group's members' records (Parameters body)")
  groupByPost(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    return this.kickOff('group', id, req, res);
  }

  @Get('$export-status/:id')
  @FhirRoute({ level: 'meta', summary: 'Bulk Data export status: 202 in progress, 200 the manifest' })
  async status(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const status = await this.exports.status(id);
    switch (status.state) {
      case 'in-progress':
        res.setHeader('X-Progress', status.progress);
        res.setHeader('Retry-After', String(status.retryAfterSeconds));
        res.status(202).end();
        return;
      case 'failed':
        sendReply(req, res, { status: 500, body: status.outcome });
        return;
      case 'completed':
        res.setHeader('Expires', status.expires.toUTCString());
        res.status(200).type('application/json').send(JSON.stringify(status.manifest));
    }
  }

  @Delete('$export-status/:id')
  @FhirRoute({ level: 'meta', summary: 'Cancels a Bulk Data export and removes its files' })
  async cancel(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    await this.exports.cancel(id);
    sendReply(req, res, { status: 202, body: informational(`Export ${id} cancelled; its files are removed`) });
  }

  @Get('$export-file/:id/:name')
  @FhirRoute({ level: 'meta', summary: 'One NDJSON file of a completed Bulk Data export (Range supported)' })
  async file(@Param('id') id: string, @Param('name') name: string, @Req() req: Request, @Res() res: Response) {
    const download = await this.exports.download(id, name, req.header('range'));
    res.setHeader('Accept-Ranges', 'bytes');
    // no-transform: compression would break byte ranges (and NDJSON is often already compressed by the client's proxy)
    res.setHeader('Cache-Control', 'private, no-transform');
    res.type(contentTypeOf(name));
    if (download.range) {
      const { start, end } = download.range;
      res.status(206);
      res.setHeader('Content-Range', `bytes ${start}-${end}/${download.size}`);
      res.setHeader('Content-Length', String(end - start + 1));
    } else {
      res.status(200);
      res.setHeader('Content-Length', String(download.size));
    }
    if (download.size === 0) {
      res.end();
      return;
    }
    download.body.on('error', () => res.destroy()).pipe(res);
  }

  private async kickOff(level: ExportLevel, groupId: string | undefined, req: Request, res: Response) {
    const request: KickOff = {
      level,
      groupId,
      params: [...queryParams(req), ...(req.method === 'POST' ? kickOffParametersOf(req.body) : [])],
      lenient: /handling\s*=\s*lenient/i.test(req.header('prefer') ?? ''),
      requestUrl: `${req.protocol}://${req.get('host')}${req.originalUrl}`,
    };
    const statusUrl = await this.exports.kickOff(request);
    res.setHeader('Content-Location', statusUrl);
    res.status(202).type(FHIR_JSON).send(JSON.stringify(informational(`Export accepted: poll ${statusUrl}`)));
  }
}
