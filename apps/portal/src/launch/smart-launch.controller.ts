import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PortalSessions, SESSION_COOKIE } from '../session/portal-session';
import { PublicPage } from '../session/session.guard';
import { LaunchRefusal } from './launch.refusal';
import { LaunchRefusalPage } from './launch-refusal.page';
import { SmartLaunchService } from './smart-launch.service';
import { SMART_STATE_COOKIE, SmartLaunchStates } from './smart-launch.state';

function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * SMART App Launch, EHR launch: `/launch/smart?iss=&launch=` sends the browser to the authorization server with a
 * state and a PKCE challenge; `/launch/smart/callback` exchanges the code and opens the patient from the token
 * response in a signed session, exactly as a signed-token launch does. Refusals: a page and an AuditEvent.
 */
@Controller('launch/smart')
export class SmartLaunchController {
  constructor(
    private readonly smart: SmartLaunchService,
    private readonly states: SmartLaunchStates,
    private readonly sessions: PortalSessions,
    private readonly refusals: LaunchRefusalPage,
  ) {}

  @PublicPage()
  @Get()
  async start(
    @Query('iss') iss: unknown,
    @Query('launch') launch: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    try {
      const { authorizeUrl, pending } = await this.smart.start(iss, launch);
      response.cookie(SMART_STATE_COOKIE, await this.states.seal(pending), this.states.cookieOptions());
      response.redirect(303, authorizeUrl);
    } catch (error) {
      if (!(error instanceof LaunchRefusal)) throw error;
      await this.refusals.send(error, request, response);
    }
  }

  @PublicPage()
  @Get('callback')
  async callback(
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const pending = await this.states.open(cookie(request, SMART_STATE_COOKIE));
    // one callback per launch: the state and verifier are gone whatever happens next
    response.clearCookie(SMART_STATE_COOKIE, { path: this.states.cookieOptions().path });
    try {
      const session = await this.smart.finish(query, pending);
      response.cookie(SESSION_COOKIE, await this.sessions.seal(session), this.sessions.cookieOptions());
      response.redirect(303, '/record');
    } catch (error) {
      if (!(error instanceof LaunchRefusal)) throw error;
      await this.refusals.send(error, request, response);
    }
  }
}
