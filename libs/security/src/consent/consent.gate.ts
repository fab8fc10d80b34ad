import { type ConsentRestriction, forbidden } from '@continuum/fhir';
import type { ConsentQueries, Queryable } from '@continuum/store';
import { type AccessContext, isOtherOrganisationCare, isSecondaryUse } from '../access/access-context';
import { consentRestrictionFor } from './consent.evaluator';

/**
 * Applies patients' consents to one access. The directives are kept with each Consent write and read at every
 * access (no cache), so a new objection or opt-out counts at once.
 */
export class ConsentGate {
  constructor(private readonly consents: ConsentQueries) {}

  /** What consent hides from this caller now, for the store to apply in SQL; undefined when nothing can be. */
  restriction(access: AccessContext, at = new Date()): ConsentRestriction | undefined {
    return consentRestrictionFor(
      {
        organisation: access.organisation,
        directCare: isOtherOrganisationCare(access),
        secondaryUse: isSecondaryUse(access),
        breakGlassReason: access.breakGlassReason,
      },
      at,
    );
  }

  /** True when consents can hide anything from this caller (saves the look-ups otherwise). */
  applies(access: AccessContext): boolean {
    return this.restriction(access) !== undefined;
  }

  /** The patients among these whose consents hide them from this caller; `db`: a write's own transaction. */
  async hidden(access: AccessContext, patientIds: string[], db?: Queryable): Promise<Set<string>> {
    const restriction = this.restriction(access);
    if (!restriction || !patientIds.length) return new Set();
    return this.consents.hiddenAmong([...new Set(patientIds)], restriction, db);
  }

  /** For a single resource: refused when any of its patients is hidden from this caller. */
  async assertVisible(access: AccessContext, patientIds: string[], db?: Queryable): Promise<void> {
    if (!(await this.hidden(access, patientIds, db)).size) return;
    throw forbidden(
      isSecondaryUse(access)
        ? 'The patient has opted out of the use of their data for research and planning'
        : "The patient has objected to sharing their record with your organisation; send a reason in 'X-Break-Glass-Reason' to access it in an emergency",
    );
  }
}
