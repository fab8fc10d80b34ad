import { HttpConfig } from '@continuum/config';
import {
  CONTINUUM_OPERATION_BASE,
  IdentityAdministration,
  linkHistoryParameters,
  parseAdministrationParameters,
  parseCrossReferenceQuery,
  parseMatchParameters,
  parseReviewQueueQuery,
  PatientIdentifierCrossReference,
  PatientMatchService,
  personParameters,
  reviewQueueParameters,
} from '@continuum/security/identity';
import { badRequest } from '@continuum/fhir';
import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Resource } from 'fhir/r4';
import { FhirRoute } from './fhir-interaction.decorator';
import { sendReply } from './fhir-reply';
import { queryParams } from './fhir-request';

const operation = (name: string, definition: string, parameters: string[], summary: string) =>
  ({ level: 'operation', name, resourceType: 'Patient', definition, parameters, summary }) as const;

const MATCH = operation(
  'match',
  'http://hl7.org/fhir/OperationDefinition/Patient-match',
  ['resource', 'onlyCertainMatches', 'count'],
  'IHE ITI-119: stored Patients that may be the one given, best first, with a calibrated score and match grade',
);
const PIX = operation(
  'ihe-pix',
  'https://profiles.ihe.net/ITI/PIXm/OperationDefinition/IHE.PIXm.pix',
  ['sourceIdentifier', 'targetSystem'],
  "IHE ITI-83 (PIXm): the other identifiers of a source identifier's person across its linked records",
);
const REVIEW_QUEUE = operation(
  'review-queue',
  `${CONTINUUM_OPERATION_BASE}/Patient-review-queue`,
  ['_count', 'patient'],
  'Identity administrators: POSSIBLE_MATCH links awaiting review, with scores and per-field weights',
);
const REVIEW_ACCEPT = operation(
  'review-accept',
  `${CONTINUUM_OPERATION_BASE}/Patient-review-accept`,
  ['patient', 'person', 'reason'],
  'Identity administrators: accept a POSSIBLE_MATCH (the patient is that person: MANUAL MATCH)',
);
const REVIEW_REJECT = operation(
  'review-reject',
  `${CONTINUUM_OPERATION_BASE}/Patient-review-reject`,
  ['patient', 'person', 'reason'],
  'Identity administrators: reject a POSSIBLE_MATCH (not that person: MANUAL NO_MATCH)',
);
const LINK = operation(
  'link',
  `${CONTINUUM_OPERATION_BASE}/Patient-link`,
  ['patient', 'person', 'otherPatient', 'reason'],
  "Identity administrators: link a patient to a person, or to another patient's person (MANUAL MATCH)",
);
const UNLINK = operation(
  'unlink',
  `${CONTINUUM_OPERATION_BASE}/Patient-unlink`,
  ['patient', 'person', 'reason'],
  'Identity administrators: unlink a patient from its person (MANUAL NO_MATCH; it becomes a person of its own)',
);
const HISTORY = operation(
  'identity-history',
  `${CONTINUUM_OPERATION_BASE}/Patient-identity-history`,
  [],
  "Identity administrators: every change of a patient's links to persons, oldest first",
);

/**
 * The master patient index over FHIR: `$match` (ITI-119) and `$ihe-pix` (ITI-83) for any caller, through the
 * caller's door; review queue, link, unlink and link history for identity administrators. Each route parses its
 * input and calls one service of `@continuum/security/identity`.
 */
@Controller('Patient')
export class PatientIdentityController {
  private readonly baseUrl: string;

  constructor(
    private readonly matcher: PatientMatchService,
    private readonly pix: PatientIdentifierCrossReference,
    private readonly admin: IdentityAdministration,
    http: HttpConfig,
  ) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
  }

  @Post('$match')
  @FhirRoute({ ...MATCH, parameters: [...MATCH.parameters] })
  async match(@Body() body: Resource, @Req() req: Request, @Res() res: Response) {
    const bundle = await this.matcher.match(parseMatchParameters(body), this.baseUrl);
    sendReply(req, res, { status: 200, body: bundle });
  }

  @Get('$ihe-pix')
  @FhirRoute({ ...PIX, parameters: [...PIX.parameters] })
  async crossReference(@Req() req: Request, @Res() res: Response) {
    const query = parseCrossReferenceQuery(queryParams(req));
    sendReply(req, res, { status: 200, body: await this.pix.crossReference(query, this.baseUrl) });
  }

  @Get('$review-queue')
  @FhirRoute({ ...REVIEW_QUEUE, parameters: [...REVIEW_QUEUE.parameters] })
  async reviewQueue(@Req() req: Request, @Res() res: Response) {
    const { count, patientId } = parseReviewQueueQuery(queryParams(req), this.baseUrl);
    sendReply(req, res, {
      status: 200,
      body: reviewQueueParameters(await this.admin.reviewQueue(count, patientId)),
    });
  }

  @Post('$review-accept')
  @FhirRoute({ ...REVIEW_ACCEPT, parameters: [...REVIEW_ACCEPT.parameters] })
  async accept(@Body() body: Resource, @Req() req: Request, @Res() res: Response) {
    const { patientId, personId, reason } = this.reviewed(body);
    const outcome = await this.admin.accept(patientId, personId, reason);
    sendReply(req, res, {
      status: 200,
      body: personParameters(patientId, outcome.personId, outcome.records),
    });
  }

  @Post('$review-reject')
  @FhirRoute({ ...REVIEW_REJECT, parameters: [...REVIEW_REJECT.parameters] })
  async reject(@Body() body: Resource, @Req() req: Request, @Res() res: Response) {
    const { patientId, personId, reason } = this.reviewed(body);
    const outcome = await this.admin.reject(patientId, personId, reason);
    sendReply(req, res, {
      status: 200,
      body: personParameters(patientId, outcome.personId, outcome.records),
    });
  }

  @Post('$link')
  @FhirRoute({ ...LINK, parameters: [...LINK.parameters] })
  async link(@Body() body: Resource, @Req() req: Request, @Res() res: Response) {
    const { patientId, target, reason } = parseAdministrationParameters(body, this.baseUrl);
    if (!target) throw badRequest('$link needs "person" or "otherPatient"');
    const outcome = await this.admin.link(patientId, target, reason);
    sendReply(req, res, {
      status: 200,
      body: personParameters(patientId, outcome.personId, outcome.records),
    });
  }

  @Post('$unlink')
  @FhirRoute({ ...UNLINK, parameters: [...UNLINK.parameters] })
  async unlink(@Body() body: Resource, @Req() req: Request, @Res() res: Response) {
    const { patientId, target, reason } = parseAdministrationParameters(body, this.baseUrl);
    if (target && !('personId' in target)) throw badRequest('$unlink takes "person", not "otherPatient"');
    const outcome = await this.admin.unlink(patientId, target?.personId, reason);
    sendReply(req, res, {
      status: 200,
      body: personParameters(patientId, outcome.personId, outcome.records),
    });
  }

  @Get(':id/$identity-history')
  @FhirRoute({ ...HISTORY, parameters: [...HISTORY.parameters] })
  async history(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    sendReply(req, res, { status: 200, body: linkHistoryParameters(await this.admin.history(id)) });
  }

  private reviewed(body: Resource): { patientId: string; personId: string; reason?: string } {
    const { patientId, target, reason } = parseAdministrationParameters(body, this.baseUrl);
    if (!target || !('personId' in target))
      throw badRequest('A review decision needs "patient" and "person"');
    return { patientId, personId: target.personId, reason };
  }
}
