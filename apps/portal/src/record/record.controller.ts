import { PrivacyOffice } from '@continuum/security';
import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { accessOf, clinicianOf } from '../session/portal-access';
import type { PortalRequest } from '../session/portal-request';
import { PortalSessions, SESSION_COOKIE } from '../session/portal-session';
import { BREAK_GLASS_REASONS } from './break-glass-reasons';
import { readReason, reasonForm } from './given-reason';
import { RecordViewService } from './record-view.service';
import { SensitiveDisclosure } from './sensitive-disclosure.service';
import { SENSITIVE_REASONS } from './sensitive-reasons';

/**
 * The record of the patient in context, in the signed-in user's role view; breaking the glass; showing the
 * sensitive information the view withholds.
 */
@Controller('record')
export class RecordController {
  constructor(
    private readonly views: RecordViewService,
    private readonly sessions: PortalSessions,
    private readonly privacy: PrivacyOffice,
    private readonly sensitive: SensitiveDisclosure,
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
        .render('break-glass', { session, banner: page.banner, form: reasonForm(BREAK_GLASS_REASONS) });
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
    const given = readReason(body, BREAK_GLASS_REASONS);
    if ('form' in given)
      return response.status(400).render('break-glass', { session, form: given.form, banner: undefined });
    const { code, detail } = given.reason;
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

  /** The page asking why: how many items are withheld (never what); back to the record when none is. */
  @Get('sensitive')
  async sensitiveForm(@Req() request: PortalRequest, @Res() response: Response): Promise<void> {
    const session = clinicianOf(request.session!);
    if (!session.patientId) return response.redirect(303, '/find');
    const offer = await this.sensitive.offer({ ...session, patientId: session.patientId });
    if (!offer) return response.redirect(303, '/record');
    response.render('sensitive', { session, ...offer, form: reasonForm(SENSITIVE_REASONS) });
  }

  /** Audits the choice, then holds it in the (signed) session for this patient only. */
  @Post('sensitive')
  async showSensitive(
    @Body() body: { reason?: unknown; detail?: unknown },
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const session = clinicianOf(request.session!);
    if (!session.patientId) return response.redirect(303, '/find');
    const inContext = { ...session, patientId: session.patientId };
    const given = readReason(body, SENSITIVE_REASONS);
    if ('form' in given) {
      const offer = await this.sensitive.offer(inContext);
      if (!offer) return response.redirect(303, '/record');
      return response.status(400).render('sensitive', { session, ...offer, form: given.form });
    }
    const shown = await this.sensitive.show(inContext, given.reason, request.path);
    response.cookie(SESSION_COOKIE, await this.sessions.seal(shown), this.sessions.cookieOptions());
    response.redirect(303, '/record');
  }
}
