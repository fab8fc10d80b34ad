import { forbidden } from '@continuum/fhir';
import type { ConsentQueries, Queryable } from '@continuum/store';
import { type AccessContext, isOtherOrganisationCare, isSecondaryUse } from '../access/access-context';
import { consentDecision } from './consent.evaluator';

export interface ConsentVerdict {
  /** Patients whose data this caller must not see. */
  hidden: Set<string>;
  /** Patients seen only because the caller broke the glass (the access is flagged in the audit). */
  brokeGlass: Set<string>;
}

/** Applies patients' consents to one access, read fresh each time so a new objection or opt-out counts at once. */
export class ConsentGate {
  constructor(private readonly consents: ConsentQueries) {}

  /** True when consents can matter for this caller at all (saves the look-ups otherwise). */
  applies(access: AccessContext): boolean {
    return isOtherOrganisationCare(access) || isSecondaryUse(access);
  }

  /** `db`: the write's transaction, when the check runs inside one (the pool otherwise). */
  async verdict(access: AccessContext, patientIds: string[], db?: Queryable): Promise<ConsentVerdict> {
    const verdict: ConsentVerdict = { hidden: new Set(), brokeGlass: new Set() };
    if (!this.applies(access) || !patientIds.length) return verdict;
    const requester = {
      organisation: access.organisation,
      directCare: isOtherOrganisationCare(access),
      secondaryUse: isSecondaryUse(access),
      breakGlassReason: access.breakGlassReason,
    };
    for (const [patient, consents] of await this.consents.consentsOf([...new Set(patientIds)], db)) {
      const decision = consentDecision(consents, requester);
      if (decision === 'hidden') verdict.hidden.add(patient);
      if (decision === 'break-glass') verdict.brokeGlass.add(patient);
    }
    return verdict;
  }

  /** For a single resource: refused when any of its patients is hidden from this caller. */
  async assertVisible(access: AccessContext, patientIds: string[], db?: Queryable): Promise<ConsentVerdict> {
    const verdict = await this.verdict(access, patientIds, db);
    if (verdict.hidden.size)
      throw forbidden(
        isSecondaryUse(access)
          ? 'The patient has opted out of the use of their data for research and planning'
          : "The patient has objected to sharing their record with your organisation; send a reason in 'X-Break-Glass-Reason' to access it in an emergency",
      );
    return verdict;
  }
}
