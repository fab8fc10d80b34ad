import { badRequest } from '@continuum/fhir';
import { PrivacyOffice } from '@continuum/security';
import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { accessOf, clinicianOf } from '../session/portal-access';
import type { PortalRequest } from '../session/portal-request';
import { PortalSessions, SESSION_COOKIE } from '../session/portal-session';
import { BREAK_GLASS_REASONS } from './break-glass-reasons';
import { RecordViewService } from './record-view.service';

/** The record of the patient in context, in the signed-in user's role view; and breaking the glass. */
@Controller('record')
export class RecordController {
  constructor(
    private readonly views: RecordViewService,
    private readonly sessions: PortalSessions,
    private readonly privacy: PrivacyOffice,
  ) {}

  @Get()
  async record(@Req() request: PortalRequest, @Res() response: Response): Promise<void> {
    const session = clinicianOf(request.session!);
    if (!session.patientId) return response.redirect(303, '/find');
    const started = process.hrtime.bigint();
    const page = await this.views.page({ ...session, patientId: session.patientId });
    response.setHeader('Server-Timing', `view;dur=${Number(process.hrtime.bigint() - started) / 1e6}`);
    if (page.kind === 'break-glass')
      return response
        .status(403)
        .render('break-glass', { session, banner: page.banner, reasons: BREAK_GLASS_REASONS });
    response.render('record', { session, ...page });
  }

  /** Records the reason in the (signed) session for this patient only; the reads that follow carry it into the audit. */
  @Post('break-glass')
  async breakGlass(
    @Body() body: { reason?: unknown; detail?: unknown },
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const session = clinicianOf(request.session!);
    if (!session.patientId) return response.redirect(303, '/find');
    const code =
      typeof body?.reason === 'string' && BREAK_GLASS_REASONS[body.reason] ? body.reason : undefined;
    const detail = typeof body?.detail === 'string' ? body.detail.trim().slice(0, 500) : '';
    if (!code || detail.length < 10) {
      const problem = !code ? 'Choose a reason' : 'Say why you need this record (at least 10 characters)';
      return response.status(400).render('break-glass', {
        session,
        reasons: BREAK_GLASS_REASONS,
        error: problem,
        chosen: code,
        detail,
        banner: undefined,
      });
    }
    if (/[\r\n]/.test(detail)) throw badRequest('The reason must be one line');
    const brokeGlass = {
      ...session,
      breakGlass: { patientId: session.patientId, reason: `${code}: ${detail}` },
    };
    // the break-glass AuditEvent and the privacy officer's alert commit together, before the record opens
    const banner = await this.views.banner(session.patientId);
    await this.privacy.breakGlass(accessOf(brokeGlass), {
      patientId: session.patientId,
      patientLabel: `${banner.name}, NHS number ${banner.nhsNumber}`,
      reasonCode: code,
      reasonText: detail,
      userName: session.name,
      userRole: session.role,
      url: request.path,
    });
    const sealed = await this.sessions.seal(brokeGlass);
    response.cookie(SESSION_COOKIE, sealed, this.sessions.cookieOptions());
    response.redirect(303, '/record');
  }
}
