import { badRequest } from '@continuum/fhir';
import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { PortalRequest } from '../session/portal-request';
import { PortalSessions, SESSION_COOKIE } from '../session/portal-session';
import { RecordViewService } from './record-view.service';

/** Reasons a user may give for seeing a record without a legitimate relationship (break-glass). */
export const BREAK_GLASS_REASONS: Record<string, string> = {
  emergency: 'Emergency care: the patient is in front of me or on the phone',
  'new-referral': 'New referral or transfer of care not yet recorded',
  safeguarding: 'Safeguarding concern',
  'patient-request': 'The patient asked me to look at their record',
};

/** The record of the patient in context, in the signed-in user's role view; and breaking the glass. */
@Controller('record')
export class RecordController {
  constructor(
    private readonly views: RecordViewService,
    private readonly sessions: PortalSessions,
  ) {}

  @Get()
  async record(@Req() request: PortalRequest, @Res() response: Response): Promise<void> {
    const session = request.session!;
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
    const session = request.session!;
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
    const sealed = await this.sessions.seal({
      ...session,
      breakGlass: { patientId: session.patientId, reason: `${code}: ${detail}` },
    });
    response.cookie(SESSION_COOKIE, sealed, this.sessions.cookieOptions());
    response.redirect(303, '/record');
  }
}
