import type { ExtractRequest, GovernanceTally } from './governed-extract';
import type { GeneralisationOptions } from './generalisation';
import type { DisclosurePolicy } from './disclosure-control';

/**
 * The manifest that travels with every extract: who asked, why, under which agreement, what view at which snapshot,
 * what each governance step did, and a SHA-256 per file so the recipient can check what arrived. Two runs over the
 * same inputs give the same manifest apart from `generatedAt`: keys are written in a fixed order.
 */
export interface ExtractManifest {
  readonly manifestVersion: 1;
  readonly requester: string;
  readonly recipient: string;
  readonly project: string;
  readonly purpose: string;
  readonly legalBasis: string;
  readonly dataSharingAgreement: string;
  readonly identifiability: string;
  /** `url|version` of the pack's ViewDefinition. */
  readonly view: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** The store snapshot the rows were read at. */
  readonly transactionTime: string;
  readonly generatedAt: string;
  readonly files: readonly ManifestFile[];
  readonly optOuts: {
    readonly nationalDataOptOut: { readonly rowsRemoved: number; readonly personsRemoved: number };
    readonly gpType1Objection: { readonly rowsRemoved: number; readonly personsRemoved: number };
    /** Present when the opt-outs were skipped: the basis and reference (and the rows that were kept). */
    readonly exemption?: { readonly basis: string; readonly reference: string };
  };
  readonly pseudonymisation?: { readonly algorithm: 'HMAC-SHA256'; readonly keyId: string };
  readonly generalisation: GeneralisationOptions;
  readonly disclosureControl?: {
    readonly policy: DisclosurePolicy;
    readonly suppressedCells: number;
    readonly complementaryCells: number;
  };
  /** Per organisation-code column: values checked against the reference data, and the problems found. */
  readonly organisationCodes?: Readonly<Record<string, OrganisationCodeCheck>>;
}

export interface OrganisationCodeCheck {
  readonly checked: number;
  readonly problems: number;
  /** The first few problems, in row order (codes, never people). */
  readonly examples: readonly string[];
}

export interface ManifestFile {
  readonly name: string;
  readonly rows: number;
  readonly sha256: string;
  readonly bytes: number;
}

export interface ManifestInputs {
  readonly request: ExtractRequest;
  readonly view: { readonly url: string; readonly version: string };
  readonly parameters: Readonly<Record<string, string>>;
  readonly transactionTime: string;
  readonly generatedAt: string;
  readonly files: readonly ManifestFile[];
  readonly tally: GovernanceTally;
  readonly generalisation: GeneralisationOptions;
  readonly pseudonymKeyId?: string;
  readonly disclosure?: { policy: DisclosurePolicy; suppressedCells: number; complementaryCells: number };
  readonly organisationCodes?: Readonly<Record<string, OrganisationCodeCheck>>;
}

export function buildManifest(inputs: ManifestInputs): ExtractManifest {
  const { request, tally } = inputs;
  return {
    manifestVersion: 1,
    requester: request.requester,
    recipient: request.recipient,
    project: request.project,
    purpose: request.purpose,
    legalBasis: request.legalBasis,
    dataSharingAgreement: request.dataSharingAgreement,
    identifiability: request.identifiability,
    view: `${inputs.view.url}|${inputs.view.version}`,
    parameters: Object.fromEntries(Object.entries(inputs.parameters).sort(([a], [b]) => a.localeCompare(b))),
    transactionTime: inputs.transactionTime,
    generatedAt: inputs.generatedAt,
    files: [...inputs.files].sort((a, b) => a.name.localeCompare(b.name)),
    optOuts: {
      nationalDataOptOut: {
        rowsRemoved: tally.exemption ? 0 : tally.removedByNationalDataOptOut.rows,
        personsRemoved: tally.exemption ? 0 : tally.removedByNationalDataOptOut.persons,
      },
      gpType1Objection: {
        rowsRemoved: tally.exemption ? 0 : tally.removedByGpType1Objection.rows,
        personsRemoved: tally.exemption ? 0 : tally.removedByGpType1Objection.persons,
      },
      ...(tally.exemption
        ? { exemption: { basis: tally.exemption.basis, reference: tally.exemption.reference } }
        : {}),
    },
    ...(inputs.pseudonymKeyId
      ? { pseudonymisation: { algorithm: 'HMAC-SHA256', keyId: inputs.pseudonymKeyId } }
      : {}),
    generalisation: inputs.generalisation,
    ...(inputs.disclosure ? { disclosureControl: inputs.disclosure } : {}),
    ...(inputs.organisationCodes ? { organisationCodes: inputs.organisationCodes } : {}),
  };
}

/** The manifest as written: two-space JSON with a final newline; the key order is buildManifest's. */
export function serialiseManifest(manifest: ExtractManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
