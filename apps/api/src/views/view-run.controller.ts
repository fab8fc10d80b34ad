import { VIEW_MEDIA_TYPES } from '@continuum/fhir';
import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FhirRoute } from '../fhir/fhir-interaction.decorator';
import { queryParams } from '../fhir/fhir-request';
import { bodyAsParameters, queryAsParameters, RUN_PARAMETERS, ViewRunService, type ViewRun } from '@continuum/export';

const RUN = {
  level: 'operation',
  name: 'run',
  resourceType: 'ViewDefinition',
  definition: 'https://sql-on-fhir.org/ig/OperationDefinition/$run',
  parameters: [...RUN_PARAMETERS],
  summary:
    'SQL on FHIR v2: run a ViewDefinition (stored or inline) over the record or inline resources; json, ndjson, csv, parquet',
} as const;

/** `ViewDefinition/$run` and `ViewDefinition/{id}/$run`, GET or POST (a Parameters body). */
@Controller('ViewDefinition')
export class ViewRunController {
  constructor(private readonly views: ViewRunService) {}

  @Get('$run')
  @FhirRoute({ ...RUN, parameters: [...RUN.parameters] })
  async run(@Req() req: Request, @Res() res: Response) {
    await send(res, await this.views.run({ parameters: queryAsParameters(queryParams(req)) }));
  }

  @Post('$run')
  @FhirRoute({ ...RUN, parameters: [...RUN.parameters] })
  async runPosted(@Req() req: Request, @Res() res: Response) {
    const parameters = [...bodyAsParameters(req.body), ...queryAsParameters(queryParams(req))];
    await send(res, await this.views.run({ parameters }));
  }

  @Get(':id/$run')
  @FhirRoute({ ...RUN, parameters: [...RUN.parameters] })
  async runStored(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    await send(res, await this.views.run({ id, parameters: queryAsParameters(queryParams(req)) }));
  }

  @Post(':id/$run')
  @FhirRoute({ ...RUN, parameters: [...RUN.parameters] })
  async runStoredPosted(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const parameters = [...bodyAsParameters(req.body), ...queryAsParameters(queryParams(req))];
    await send(res, await this.views.run({ id, parameters }));
  }
}

/**
 * Streams the run's chunks with backpressure; a failure mid-stream cuts the response (the status is already sent).
 * A client that goes away stops the run (leaving the loop closes the rows, which gives back their connection).
 */
async function send(res: Response, run: ViewRun): Promise<void> {
  res.status(200).type(VIEW_MEDIA_TYPES[run.format]);
  res.setHeader('Cache-Control', 'no-store');
  const gone = new Promise<void>((resolve) => res.once('close', resolve));
  try {
    for await (const chunk of run.chunks) {
      if (res.destroyed) break;
      if (!chunk) continue;
      if (!res.write(chunk)) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), gone]);
      // compression buffers; flush so the first rows leave now
      (res as Response & { flush?: () => void }).flush?.();
    }
    res.end();
  } catch (error) {
    res.destroy(error as Error);
  }
}
