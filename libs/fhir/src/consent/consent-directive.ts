import type { Consent, Identifier, Reference } from 'fhir/r4';
import { IdentifierSystem } from '../identifier-systems';
import {
  CONSENT_CATEGORY_SYSTEM,
  GP_TYPE_1_OBJECTION,
  NATIONAL_DATA_OPT_OUT,
  SCOPE_SYSTEM,
} from './consent-codes';

/**
 * What a patient's Consent says about sharing their record, reduced to the facts access decisions need:
 * - `sharing-objection`: the patient objects to sharing (scope patient-privacy, provision deny), except with the
 *   organisations it names (typically the GP practice);
 * - `data-opt-out`: the national data opt-out (our consent category), which covers secondary use;
 * - `gp-type-1-objection`: the type 1 objection (our consent category): GP-sourced data only, applied by the
 *   governed extract pipeline (libs/governance), never by the door to direct care.
 * Whom a directive hides a patient from is the access policy's decision (libs/security consent.evaluator); when it
 * is in force is its period, judged at the time of each access.
 */
export type ConsentDirectiveKind = 'sharing-objection' | 'data-opt-out' | 'gp-type-1-objection';

export interface ConsentDirective {
  kind: ConsentDirectiveKind;
  /** ODS codes of the organisations an objection still lets see the record (none for an opt-out). */
  permittedOrganisations: string[];
  /** In force from (inclusive), epoch ms; -Infinity when open. */
  start: number;
  /** In force until (inclusive), epoch ms; Infinity when open. */
  end: number;
}

/**
 * Which directives hide a patient from one caller, as data so that the store can apply the same rule in SQL (every
 * search, count and include) and to a single resource: a patient is hidden when one of their directives in force
 * `at` has a kind listed here, unless it permits `unlessPermits` (the caller's organisation).
 */
export interface ConsentRestriction {
  at: Date;
  hiding: { kind: ConsentDirectiveKind; unlessPermits?: string }[];
}

const hasCode = (
  concepts: { coding?: { system?: string; code?: string }[] }[] | undefined,
  system: string,
  code: string,
) =>
  (concepts ?? []).some((concept) =>
    (concept.coding ?? []).some((c) => c.system === system && c.code === code),
  );

/** A bound of the provision's period; an unreadable one leaves that end open (the directive applies). */
const bound = (value: string | undefined, open: number) => {
  const at = value ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? open : at;
};

/** Organisations an objection still lets see the record: Consent.organization, by ODS code. */
function permittedOrganisations(consent: Consent): string[] {
  return (consent.organization ?? []).flatMap((reference: Reference) => {
    const identifier: Identifier | undefined = reference.identifier;
    return identifier?.system === IdentifierSystem.odsOrganisationCode && identifier.value
      ? [identifier.value]
      : [];
  });
}

/**
 * The directives a Consent carries: none unless it is active; an objection when it denies with scope
 * patient-privacy; an opt-out when it has the national data opt-out category. Pure: the store keeps the result per
 * patient (`consent_directive`), written with the Consent in one transaction.
 */
export function consentDirectivesOf(consent: Consent): ConsentDirective[] {
  if (consent.status !== 'active') return [];
  const period = consent.provision?.period;
  const when = { start: bound(period?.start, -Infinity), end: bound(period?.end, Infinity) };
  const directives: ConsentDirective[] = [];
  if (consent.provision?.type === 'deny' && hasCode([consent.scope], SCOPE_SYSTEM, 'patient-privacy'))
    directives.push({
      kind: 'sharing-objection',
      permittedOrganisations: permittedOrganisations(consent),
      ...when,
    });
  if (hasCode(consent.category, CONSENT_CATEGORY_SYSTEM, NATIONAL_DATA_OPT_OUT))
    directives.push({ kind: 'data-opt-out', permittedOrganisations: [], ...when });
  if (hasCode(consent.category, CONSENT_CATEGORY_SYSTEM, GP_TYPE_1_OBJECTION))
    directives.push({ kind: 'gp-type-1-objection', permittedOrganisations: [], ...when });
  return directives;
}
