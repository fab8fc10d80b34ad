import { HttpConfig } from '@continuum/config';
import {
  mergeOutputParameters,
  parseMergeParameters,
  parseUnmergeParameters,
  unmergeOutputParameters,
} from '@continuum/fhir';
import { PatientMergeAdministration } from '@continuum/security';
import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FhirRoute } from './fhir-interaction.decorator';
import { sendReply } from './fhir-reply';

const MERGE = {
  level: 'operation',
  name: 'merge',
  resourceType: 'Patient',
  definition: 'http://hl7.org/fhir/OperationDefinition/Patient-merge',
  parameters: ['source-patient', 'target-patient', 'preview', 'reason'],
  summary:
    'Merge source-patient into target-patient (identity-admin): links, every reference re-pointed, Provenance; preview=true changes nothing',
} as const;

const UNMERGE = {
  level: 'operation',
  name: 'unmerge',
  resourceType: 'Patient',
  definition: 'https://continuum.nhs.uk/OperationDefinition/Patient-unmerge',
  parameters: ['source-patient', 'reason'],
  summary:
    "Undo source-patient's merge (identity-admin): the references its merge Provenance recorded restored",
} as const;

/** `POST Patient/$merge` and `POST Patient/$unmerge`: an identity administrator's merges (docs/identity.md). */
@Controller('Patient')
export class PatientMergeController {
  private readonly baseUrl: string;

  constructor(
    private readonly merges: PatientMergeAdministration,
    http: HttpConfig,
  ) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
  }

  @Post('$merge')
  @FhirRoute({ ...MERGE, parameters: [...MERGE.parameters] })
  async merge(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const input = parseMergeParameters(body, this.baseUrl);
    const output = input.preview
      ? { ...(await this.merges.preview(input.sourcePatientId, input.targetPatientId)), preview: true }
      : {
          ...(await this.merges.merge(input.sourcePatientId, input.targetPatientId, input.reason)),
          preview: false,
        };
    sendReply(req, res, { status: 200, body: mergeOutputParameters(output) });
  }

  @Post('$unmerge')
  @FhirRoute({ ...UNMERGE, parameters: [...UNMERGE.parameters] })
  async unmerge(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const input = parseUnmergeParameters(body, this.baseUrl);
    const result = await this.merges.unmerge(input.sourcePatientId, input.reason);
    sendReply(req, res, { status: 200, body: unmergeOutputParameters(result) });
  }
}
