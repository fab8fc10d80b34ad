import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  PortalSessions,
  PRIVACY_OFFICER,
  type PortalSession,
  SESSION_COOKIE,
} from '../session/portal-session';
import { PublicPage } from '../session/session.guard';
import { LaunchRefusal } from './launch.refusal';
import { LaunchRefusalPage } from './launch-refusal.page';
import { LaunchService } from './launch.service';

/** `/launch?token=<JWT>`: opens a session (in the patient's context when the token names one), or a refusal page. */
@Controller()
export class LaunchController {
  constructor(
    private readonly launches: LaunchService,
    private readonly sessions: PortalSessions,
    private readonly refusals: LaunchRefusalPage,
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
      response.redirect(303, landingOf(session));
    } catch (error) {
      if (!(error instanceof LaunchRefusal)) throw error;
      await this.refusals.send(error, request, response);
    }
  }
}

/** Where a launch lands: the patient's record, the find page, or the privacy officer's worklist. */
function landingOf(session: PortalSession): string {
  if (session.role === PRIVACY_OFFICER) return '/privacy/alerts';
  return session.patientId ? '/record' : '/find';
}
