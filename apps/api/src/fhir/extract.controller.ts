import { ExtractKickOff, type ExtractOrder } from '@continuum/commissioning';
import { badRequest, informational, kickOffParametersOf } from '@continuum/fhir';
import { Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FhirRoute } from './fhir-interaction.decorator';
import { FHIR_JSON } from './fhir-reply';
import { queryParams } from './fhir-request';

/** `$extract`'s parameters, by the name each is given in the order (docs/commissioning.md). */
const TEXT_PARAMETERS = {
  pack: 'pack',
  period: 'period',
  recipient: 'recipient',
  project: 'project',
  purpose: 'purpose',
  legalBasis: 'legalBasis',
  agreement: 'agreement',
  identifiability: 'identifiability',
  exemption: 'exemption',
  birthDate: 'birthDate',
  postcode: 'postcode',
} as const;
const FLAG_PARAMETERS = { keepFreeText: 'keepFreeText', trueTotals: 'trueTotals' } as const;

/**
 * Governed commissioning extract, asynchronous (docs/commissioning.md): POST `[base]/$extract` with a Parameters
 * body (or query parameters) → 202 and Content-Location, polled and downloaded at the export status URL like
 * `$export`. The work is ExtractKickOff's and the exporter's.
 */
@Controller()
export class ExtractController {
  constructor(private readonly extracts: ExtractKickOff) {}

  @Post('$extract')
  @FhirRoute({
    level: 'operation',
    name: 'extract',
    resourceType: undefined,
    definition: 'https://continuum.nhs.uk/OperationDefinition/extract',
    parameters: [...Object.keys(TEXT_PARAMETERS), ...Object.keys(FLAG_PARAMETERS)],
    summary: 'Governed commissioning extract of one pack for one month (asynchronous, system clients)',
  })
  async kickOff(@Req() req: Request, @Res() res: Response) {
    const given = [...queryParams(req), ...kickOffParametersOf(req.body)];
    const statusUrl = await this.extracts.kickOff({
      order: orderOf(given),
      requestUrl: `${req.protocol}://${req.get('host')}${req.originalUrl}`,
    });
    res.setHeader('Content-Location', statusUrl);
    res.status(202).type(FHIR_JSON).send(JSON.stringify(informational(`Extract accepted: poll ${statusUrl}`)));
  }
}

function orderOf(given: [string, string][]): Omit<ExtractOrder, 'requester'> {
  const order: Record<string, string | boolean> = {};
  for (const [name, value] of given) {
    if (name in TEXT_PARAMETERS) order[name] = value;
    else if (name in FLAG_PARAMETERS) order[name] = value === 'true';
    else throw badRequest(`Unknown $extract parameter '${name}'`, [name]);
  }
  return order;
}
