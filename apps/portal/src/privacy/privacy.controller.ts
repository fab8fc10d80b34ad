import { ALERT_OUTCOMES, PrivacyOffice } from '@continuum/security';
import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { accessOf, privacyOfficerOf } from '../session/portal-access';
import type { PortalRequest } from '../session/portal-request';
import { BREAK_GLASS_REASONS } from '../record/break-glass-reasons';
import { RecordAccessLog } from './record-access-log';

/**
 * The privacy officer's pages: the worklist of break-glass alerts (open, newest first; recently closed), one alert
 * with its closing form, and who viewed a person's records. Anyone but the privacy officer gets a 403 page.
 */
@Controller('privacy')
export class PrivacyController {
  constructor(
    private readonly office: PrivacyOffice,
    private readonly accessLog: RecordAccessLog,
  ) {}

  @Get('alerts')
  async worklist(@Req() request: PortalRequest, @Res() response: Response): Promise<void> {
    const session = privacyOfficerOf(request.session!);
    const access = accessOf(session);
    const [open, closed] = await Promise.all([
      this.office.list(access, 'open'),
      this.office.list(access, 'closed'),
    ]);
    response.render('privacy-alerts', {
      session,
      roleTitle: 'Privacy officer',
      open,
      closed: closed.slice(0, 20),
      reasons: BREAK_GLASS_REASONS,
      outcomes: ALERT_OUTCOMES,
    });
  }

  @Get('alerts/:id')
  async alert(
    @Param('id') id: string,
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const session = privacyOfficerOf(request.session!);
    const alert = await this.office.get(accessOf(session), id);
    response.render('privacy-alert', this.alertPage(session, alert));
  }

  @Post('alerts/:id/close')
  async close(
    @Param('id') id: string,
    @Body() body: { outcome?: unknown; note?: unknown },
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const session = privacyOfficerOf(request.session!);
    const access = accessOf(session);
    const outcome =
      typeof body?.outcome === 'string' && ALERT_OUTCOMES[body.outcome] ? body.outcome : undefined;
    const note = typeof body?.note === 'string' ? body.note.trim().slice(0, 1000) : '';
    if (!outcome || (outcome !== 'appropriate' && note.length < 10)) {
      const alert = await this.office.get(access, id);
      const error = !outcome
        ? 'Choose an outcome'
        : 'Say what follows (at least 10 characters) when the access was not appropriate';
      response
        .status(400)
        .render('privacy-alert', { ...this.alertPage(session, alert), error, chosen: outcome, note });
      return;
    }
    await this.office.close(access, id, outcome, note || undefined);
    response.redirect(303, '/privacy/alerts');
  }

  @Get('patients/:patientId/access')
  async whoViewed(
    @Param('patientId') patientId: string,
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const session = privacyOfficerOf(request.session!);
    const log = await this.accessLog.of(patientId);
    response.render('privacy-access', { session, roleTitle: 'Privacy officer', patientId, ...log });
  }

  private alertPage(session: PortalRequest['session'], alert: unknown) {
    return {
      session,
      roleTitle: 'Privacy officer',
      alert,
      reasons: BREAK_GLASS_REASONS,
      outcomes: ALERT_OUTCOMES,
    };
  }
}
