import { Body, Controller, Get, Post, Render, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { clinicianOf } from '../session/portal-access';
import type { PortalRequest } from '../session/portal-request';
import { PortalSessions, SESSION_COOKIE } from '../session/portal-session';
import { PatientFinder } from './patient-finder';

/**
 * Finding a patient by NHS number. The record found becomes the session's patient (a signed cookie), so the record
 * page never takes its patient from the URL.
 */
@Controller('find')
export class FindController {
  constructor(
    private readonly finder: PatientFinder,
    private readonly sessions: PortalSessions,
  ) {}

  @Get()
  @Render('find')
  form(@Req() request: PortalRequest) {
    return { session: clinicianOf(request.session!) };
  }

  @Post()
  async find(
    @Body() body: { nhsNumber?: unknown },
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    clinicianOf(request.session!);
    const nhsNumber = typeof body?.nhsNumber === 'string' ? body.nhsNumber : '';
    const result = await this.finder.byNhsNumber(nhsNumber);
    if (!result.found) {
      response.status(result.reason === 'invalid-nhs-number' ? 400 : 404).render('find', {
        session: request.session,
        nhsNumber,
        error: result.message,
      });
      return;
    }
    const session = { ...request.session!, patientId: result.patients[0].id as string };
    response.cookie(SESSION_COOKIE, await this.sessions.seal(session), this.sessions.cookieOptions());
    response.redirect(303, '/record');
  }
}
