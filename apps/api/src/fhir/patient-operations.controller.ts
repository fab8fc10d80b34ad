import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FhirRoute } from './fhir-interaction.decorator';
import { sendReply } from './fhir-reply';
import { formParams, queryParams } from './fhir-request';
import { PatientRecordService } from './patient-record.service';

const EVERYTHING = {
  level: 'operation',
  name: 'everything',
  resourceType: 'Patient',
  definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
  parameters: ['_since', '_type', '_count'],
  summary: "Everything in the patient's record, linked patients' included, paged",
} as const;

const SUMMARY = {
  level: 'operation',
  name: 'summary',
  resourceType: 'Patient',
  definition: 'http://hl7.org/fhir/uv/ips/OperationDefinition/summary',
  parameters: [],
  summary: 'Patient summary document (International Patient Summary shaped)',
} as const;

/** `Patient/[id]/$everything` and `Patient/[id]/$summary` (GET, or POST without body parameters). */
@Controller('Patient/:id')
export class PatientOperationsController {
  constructor(private readonly records: PatientRecordService) {}

  @Get('$everything')
  @FhirRoute({ ...EVERYTHING, parameters: [...EVERYTHING.parameters] })
  async everything(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    sendReply(req, res, { status: 200, body: await this.records.everything(id, queryParams(req)) });
  }

  @Post('$everything')
  @FhirRoute({ ...EVERYTHING, parameters: [...EVERYTHING.parameters] })
  async everythingByPost(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    sendReply(req, res, { status: 200, body: await this.records.everything(id, formParams(req)) });
  }

  @Get('$summary')
  @FhirRoute({ ...SUMMARY, parameters: [] })
  async summary(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    sendReply(req, res, { status: 200, body: await this.records.summary(id) });
  }
}
