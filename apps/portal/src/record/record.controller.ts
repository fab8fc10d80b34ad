import { Controller, Get, Render, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { PortalRequest } from '../session/portal-request';
import { RecordViewService } from './record-view.service';

/** The record of the patient in context, in the signed-in user's role view. */
@Controller()
export class RecordController {
  constructor(private readonly views: RecordViewService) {}

  @Get('record')
  @Render('record')
  async record(@Req() request: PortalRequest, @Res({ passthrough: true }) response: Response) {
    const session = request.session!;
    if (!session.patientId) {
      response.redirect(303, '/find');
      return undefined;
    }
    const started = process.hrtime.bigint();
    const built = await this.views.view(session.role, session.patientId);
    response.setHeader('Server-Timing', `view;dur=${Number(process.hrtime.bigint() - started) / 1e6}`);
    return { session, ...built };
  }
}
