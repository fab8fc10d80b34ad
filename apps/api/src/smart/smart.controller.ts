import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { badRequest } from '@continuum/fhir';
import type { AuthenticatedRequest } from '../security/authentication.guard';
import { SmartAuthorizationServer } from './smart-authorization.server';

/**
 * SMART App Launch 2.x, EHR launch (docs/portal.md): discovery at the FHIR base (and the server root), the launch
 * registration an EHR calls with its system token, the authorize and token endpoints (public, as OAuth requires:
 * their refusals are OAuth errors, audited by the server).
 */
@Controller()
export class SmartController {
  constructor(private readonly server: SmartAuthorizationServer) {}

  @Get(['fhir/.well-known/smart-configuration', '.well-known/smart-configuration'])
  configuration(@Res() response: Response): void {
    response.setHeader('Cache-Control', 'public, max-age=300');
    response.json(this.server.configuration());
  }

  @Post('auth/launch')
  @HttpCode(201)
  registerLaunch(@Req() request: AuthenticatedRequest, @Body() body: unknown) {
    return this.server.registerLaunch(request.access!, body);
  }

  @Get('auth/authorize')
  async authorize(@Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const answer = await this.server.authorize(query);
    if ('redirect' in answer) return response.redirect(302, answer.redirect);
    // the client or its redirect URI is not registered: the user is told here, never sent to an unverified address
    throw badRequest(`Authorization refused (${answer.error}): ${answer.description}`);
  }

  @Post('auth/token')
  async token(@Body() body: unknown, @Res() response: Response): Promise<void> {
    const answer = await this.server.token((body ?? {}) as Record<string, unknown>);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Pragma', 'no-cache');
    response.status(answer.status).json(answer.body);
  }
}
