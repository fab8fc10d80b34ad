import { currentCorrelationId } from '@continuum/observability';
import { AuditRecorder } from '@continuum/security';
import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PORTAL_CLIENT_ID } from '../session/portal-access';
import type { LaunchRefusal } from './launch.refusal';

/** A refused launch (signed-token URL or SMART): an AuditEvent, then a page saying what went wrong. */
@Injectable()
export class LaunchRefusalPage {
  constructor(private readonly audit: AuditRecorder) {}

  async send(error: LaunchRefusal, request: Request, response: Response): Promise<void> {
    // the query string (a token, a code, a launch id) is never recorded
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
