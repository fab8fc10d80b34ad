/**
 * Organisation codes in extracts are checked against reference data held in the repository (the ODS codes of the
 * organisations a community shares data with), with the NHS Data Dictionary's default codes allowed where the
 * Dictionary allows them ("Default codes summary table", NHS Data Model and Dictionary).
 */

export type OrganisationCodeRole = 'provider' | 'site' | 'commissioner' | 'gp-practice';

/** The Data Dictionary's default (pseudo) codes, by the role in which each may stand. */
export const DEFAULT_ORGANISATION_CODES: Readonly<
  Record<OrganisationCodeRole, Readonly<Record<string, string>>>
> = {
  provider: {
    '89997': 'non-UK provider where no organisation code has been issued',
    '89999': 'non-NHS UK provider where no organisation code has been issued',
  },
  site: {
    '89997': 'site of treatment not applicable: non-UK provider',
    '89999': 'site of treatment not applicable: non-NHS UK provider',
    R9998: 'site of treatment: not a hospital site',
  },
  commissioner: {
    VPP00: 'private patient, or overseas visitor liable for charges',
    TDH00: 'overseas visitor exempt from charges',
  },
  'gp-practice': {
    V81999: 'GP practice code not known',
    V81998: 'GP practice code not applicable (prison, dentist or MoD practice, or none)',
  },
};

export interface ReferenceOrganisation {
  readonly code: string;
  readonly name: string;
  readonly roles: readonly OrganisationCodeRole[];
}

export class OrganisationReference {
  private readonly byCode: ReadonlyMap<string, ReferenceOrganisation>;

  constructor(organisations: readonly ReferenceOrganisation[]) {
    this.byCode = new Map(
      organisations.map((organisation) => [organisation.code.toUpperCase(), organisation]),
    );
  }

  /** Why `code` may not stand in `role`, or undefined when it may (a known organisation, or an allowed default). */
  problemWith(code: string | null | undefined, role: OrganisationCodeRole): string | undefined {
    if (code === null || code === undefined || code.trim() === '')
      return `the ${role} organisation code is missing`;
    const normalised = code.trim().toUpperCase();
    if (DEFAULT_ORGANISATION_CODES[role][normalised] !== undefined) return undefined;
    const known = this.byCode.get(normalised);
    if (!known)
      return `'${code}' is not an organisation code in the reference data, nor a ${role} default code`;
    if (!known.roles.includes(role)) return `'${code}' (${known.name}) is not a ${role}`;
    return undefined;
  }

  /** The default code's meaning, when `code` is one for `role`; for reports and docs. */
  static defaultMeaning(code: string, role: OrganisationCodeRole): string | undefined {
    return DEFAULT_ORGANISATION_CODES[role][code.trim().toUpperCase()];
  }
}
