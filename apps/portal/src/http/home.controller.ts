import { Controller, Get, Post, Render, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { PortalRequest } from '../session/portal-request';
import { SESSION_COOKIE } from '../session/portal-session';
import { PublicPage } from '../session/session.guard';

/** The landing page (how to open the portal) and signing out. */
@Controller()
export class HomeController {
  @PublicPage()
  @Get()
  @Render('home')
  home(@Req() request: PortalRequest) {
    return { session: request.session };
  }

  @PublicPage()
  @Post('sign-out')
  signOut(@Res() response: Response): void {
    response.clearCookie(SESSION_COOKIE, { path: '/' });
    response.redirect(303, '/');
  }
}
