import { currentCorrelationId } from '@continuum/observability';
import { AuditRecorder } from '@continuum/security';
import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PORTAL_CLIENT_ID } from '../session/portal-access';
import { PortalSessions, SESSION_COOKIE } from '../session/portal-session';
import { PublicPage } from '../session/session.guard';
import { LaunchRefusal } from './launch.refusal';
import { LaunchService } from './launch.service';

/** `/launch?token=<JWT>`: opens a session (in the patient's context when the token names one), or a refusal page. */
@Controller()
export class LaunchController {
  constructor(
    private readonly launches: LaunchService,
    private readonly sessions: PortalSessions,
    private readonly audit: AuditRecorder,
  ) {}

  @PublicPage()
  @Get('launch')
  async launch(
    @Query('token') token: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    try {
      const session = await this.launches.launch(typeof token === 'string' ? token : undefined);
      response.cookie(SESSION_COOKIE, await this.sessions.seal(session), this.sessions.cookieOptions());
      response.redirect(303, session.patientId ? '/record' : '/find');
    } catch (error) {
      if (!(error instanceof LaunchRefusal)) throw error;
      // the query string (the token) is never recorded
      await this.audit.recordAnswer(
        { method: request.method, url: request.path, correlationId: currentCorrelationId(), audited: 0 },
        {
          interaction: 'operation',
          status: error.status,
          description: `Portal launch refused (${error.reason}): ${error.detail}`,
          caller: error.caller ? { ...error.caller, clientId: PORTAL_CLIENT_ID } : undefined,
        },
      );
      response
        .status(error.status)
        .render('refused', { title: error.title, detail: error.detail, reason: error.reason });
    }
  }
}
