import { badRequest } from '@continuum/fhir';
import { Body, Controller, Get, Post, Render, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { clinicianOf } from '../session/portal-access';
import type { PortalRequest } from '../session/portal-request';
import { PortalSessions, SESSION_COOKIE } from '../session/portal-session';
import { demographicFormOf, demographicQuery } from './demographic-search';
import { PatientFinder } from './patient-finder';

/**
 * Finding a patient by NHS number, or by name, date of birth and postcode (one row per person). The record found
 * becomes the session's patient (a signed cookie): directly for an NHS number, through a choice signed for this user
 * for a search by details, so the record page never takes its patient from the URL or from a posted id.
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

  @Post('people')
  async findPeople(
    @Body() body: Record<string, unknown> | undefined,
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const session = clinicianOf(request.session!);
    const details = demographicFormOf(body);
    const checked = demographicQuery(details);
    if (checked.problems) {
      response.status(400).render('find', { session, details, detailProblems: checked.problems });
      return;
    }
    const result = await this.finder.byDetails(checked.query);
    if (!result.found) {
      const unavailable = result.reason === 'unavailable';
      response
        .status(unavailable ? 503 : 404)
        .render('find', { session, details, detailsMessage: result.message, unavailable });
      return;
    }
    const people = await Promise.all(
      result.people.map(async (person) => ({
        ...person,
        choice: await this.sessions.sealChoice(session.subject, person.patientId),
      })),
    );
    response.render('find', { session, details, people });
  }

  /** Opens a person chosen from this user's own search results. */
  @Post('open')
  async open(
    @Body() body: { choice?: unknown } | undefined,
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const session = clinicianOf(request.session!);
    const patientId = await this.sessions.openChoice(session.subject, body?.choice);
    if (!patientId) throw badRequest('This search result has expired or was not yours: search again');
    response.cookie(
      SESSION_COOKIE,
      await this.sessions.seal({ ...session, patientId }),
      this.sessions.cookieOptions(),
    );
    response.redirect(303, '/record');
  }
}
