import { forbidden, type PortalRole } from '@continuum/fhir';
import { currentCorrelationId } from '@continuum/observability';
import { AuditRecorder } from '@continuum/security';
import { Injectable } from '@nestjs/common';
import { accessOf } from '../session/portal-access';
import type { PortalSession } from '../session/portal-session';
import type { GivenReason } from './given-reason';
import { RecordViewService } from './record-view.service';

type ClinicianInContext = PortalSession & { role: PortalRole; patientId: string };

/**
 * Showing the sensitive information a view withholds, on the user's request: allowed only with a legitimate
 * relationship and in a role that may ask; recorded as an AuditEvent (who, the person, the purpose, the categories
 * and items revealed) before the session that shows them is returned.
 */
@Injectable()
export class SensitiveDisclosure {
  constructor(
    private readonly views: RecordViewService,
    private readonly audit: AuditRecorder,
  ) {}

  /** What the page asking for a reason shows: the banner and how many items are withheld (never what). */
  async offer(session: ClinicianInContext) {
    const page = await this.views.page(session);
    if (page.kind === 'view' && !page.view.sensitiveOnRequest) throw this.neverInRole(page.view.title);
    if (page.kind !== 'view' || !page.sensitive.offered) return undefined;
    return { banner: page.banner, withheld: page.sensitive.withheld };
  }

  /** The session that shows sensitive information for this patient, once the choice is audited. */
  async show(session: ClinicianInContext, reason: GivenReason, path: string): Promise<PortalSession> {
    const shown: ClinicianInContext = {
      ...session,
      sensitiveShown: { patientId: session.patientId, reason: `${reason.code}: ${reason.detail}` },
    };
    const page = await this.views.page(shown);
    if (page.kind === 'view' && !page.view.sensitiveOnRequest) throw this.neverInRole(page.view.title);
    if (page.kind !== 'view' || !page.relationship)
      throw forbidden('Sensitive information is shown only to a user with a legitimate relationship with the person');
    const categories = [...new Set(page.sensitive.revealed.map((item) => item.category))].sort();
    await this.audit.recordAnswer(
      {
        method: 'POST',
        url: path,
        correlationId: currentCorrelationId(),
        patientIds: [session.patientId],
        audited: 0,
      },
      {
        interaction: 'operation',
        status: 200,
        description:
          `Sensitive information shown on Patient/${session.patientId} ` +
          `(${categories.join(', ') || 'none withheld'}; ${page.sensitive.revealed.length} items): ` +
          `${reason.code}: ${reason.detail}`,
        caller: accessOf(shown),
        resources: page.sensitive.revealed.map((item) => item.ref),
      },
    );
    return shown;
  }

  private neverInRole(title: string) {
    return forbidden(`The ${title} view never shows sensitive information`);
  }
}
