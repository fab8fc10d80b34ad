import { bodyAsParameters, queryAsParameters, VIEW_EXPORT_PARAMETERS, ViewExportKickOff } from '@continuum/export';
import { informational } from '@continuum/fhir';
import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FhirRoute } from '../fhir/fhir-interaction.decorator';
import { FHIR_JSON } from '../fhir/fhir-reply';
import { queryParams } from '../fhir/fhir-request';

const EXPORT = {
  level: 'operation',
  name: 'viewdefinition-export',
  resourceType: 'ViewDefinition',
  definition: 'http://sql-on-fhir.org/OperationDefinition/$viewdefinition-export',
  parameters: [...VIEW_EXPORT_PARAMETERS],
  summary:
    'SQL on FHIR v2: export one or more ViewDefinitions (stored or inline) over the record as files, asynchronously; csv, ndjson, json, parquet',
} as const;

/**
 * SQL on FHIR v2's asynchronous view export: POST `ViewDefinition/$viewdefinition-export` (or
 * `ViewDefinition/{id}/$viewdefinition-export` for a stored view) with a Parameters body → 202 and Content-Location,
 * polled and downloaded at the export status URL like `$export`. The work is ViewExportKickOff's and the exporter's.
 */
@Controller('ViewDefinition')
export class ViewExportController {
  constructor(private readonly exports: ViewExportKickOff) {}

  @Post('$viewdefinition-export')
  @FhirRoute({ ...EXPORT, parameters: [...EXPORT.parameters] })
  kickOff(@Req() req: Request, @Res() res: Response) {
    return this.accept(req, res);
  }

  @Post(':id/$viewdefinition-export')
  @FhirRoute({ ...EXPORT, parameters: [...EXPORT.parameters] })
  kickOffStored(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    return this.accept(req, res, id);
  }

  private async accept(req: Request, res: Response, storedId?: string) {
    const statusUrl = await this.exports.kickOff({
      parameters: [...bodyAsParameters(req.body), ...queryAsParameters(queryParams(req))],
      requestUrl: `${req.protocol}://${req.get('host')}${req.originalUrl}`,
      storedId,
    });
    res.setHeader('Content-Location', statusUrl);
    res.status(202).type(FHIR_JSON).send(JSON.stringify(informational(`View export accepted: poll ${statusUrl}`)));
  }
}
