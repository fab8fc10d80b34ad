import { Pseudonymiser } from './pseudonymisation';
import {
  DEFAULT_GENERALISATION,
  type GeneralisationOptions,
  generaliseDate,
  generalisePostcode,
} from './generalisation';
import type { CountTable } from './disclosure-control';

/**
 * The one governed pipeline for secondary-use extracts. Its order is fixed here, in code, and nothing else can
 * reorder it: a request must state why (purpose, legal basis, data-sharing agreement); then the national data
 * opt-out and, for GP-sourced rows, the type 1 objection remove people before anything else sees their rows; then
 * pseudonymisation; then generalisation. Aggregates go on to disclosure control (disclosure-control.ts).
 */

/** Purposes of use for secondary use (HL7 v3 ActReason). Direct care (TREAT) is not a secondary use. */
export const SECONDARY_USE_PURPOSES = ['HOPERAT', 'HPAYMT', 'HRESCH', 'PUBHLTH', 'HMARKT'] as const;
export type SecondaryUsePurpose = (typeof SECONDARY_USE_PURPOSES)[number];

/** identifiable: NHS number kept (under a legal basis that allows it); pseudonymised; aggregate: counts only. */
export type Identifiability = 'identifiable' | 'pseudonymised' | 'aggregate';

/**
 * The only ways past the opt-outs: an anonymised flow (aggregate, no person-level output) or a flow with the
 * people's explicit consent, named by its reference. Using one is recorded in the manifest and audited.
 */
export interface OptOutExemption {
  readonly basis: 'anonymised' | 'consented';
  readonly reference: string;
}

export interface ExtractRequest {
  readonly requester: string;
  readonly recipient: string;
  readonly project: string;
  readonly purpose: SecondaryUsePurpose;
  readonly legalBasis: string;
  readonly dataSharingAgreement: string;
  readonly identifiability: Identifiability;
  readonly optOutExemption?: OptOutExemption;
}

/** Refusal of a request, with every problem named; answered as 400 over HTTP. */
export class GovernanceError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the extract request is refused: ${problems.join('; ')}`);
  }
}

const REQUIRED_TEXT = ['requester', 'recipient', 'project', 'legalBasis', 'dataSharingAgreement'] as const;

/** Checks a request as received (from the CLI or HTTP) and returns it typed, or throws GovernanceError. */
export function checkExtractRequest(input: Partial<Record<keyof ExtractRequest, unknown>>): ExtractRequest {
  const problems: string[] = [];
  for (const field of REQUIRED_TEXT)
    if (typeof input[field] !== 'string' || (input[field] as string).trim() === '')
      problems.push(`${field} is required`);
  if (!SECONDARY_USE_PURPOSES.includes(input.purpose as SecondaryUsePurpose))
    problems.push(
      `purpose must be one of ${SECONDARY_USE_PURPOSES.join(', ')} (direct care is not an extract)`,
    );
  if (!['identifiable', 'pseudonymised', 'aggregate'].includes(input.identifiability as string))
    problems.push('identifiability must be identifiable, pseudonymised or aggregate');
  const exemption = input.optOutExemption as OptOutExemption | undefined;
  if (exemption !== undefined) {
    if (exemption.basis !== 'anonymised' && exemption.basis !== 'consented')
      problems.push('optOutExemption.basis must be anonymised or consented');
    else if (exemption.basis === 'anonymised' && input.identifiability !== 'aggregate')
      problems.push('an anonymised exemption from the opt-outs is only for aggregate outputs');
    if (typeof exemption.reference !== 'string' || exemption.reference.trim() === '')
      problems.push(
        'optOutExemption.reference is required (the anonymisation assessment or the consent record)',
      );
  }
  if (problems.length > 0) throw new GovernanceError(problems);
  return input as unknown as ExtractRequest;
}

export type ExtractCell = string | number | boolean | null;

/** What a pack column holds, which decides what governance does to it. */
export type ColumnRole = 'nhs-number' | 'birth-date' | 'postcode' | 'free-text' | 'record-key' | 'value';

export interface ExtractColumn {
  readonly name: string;
  readonly role: ColumnRole;
}

/** A row as the pack's view produced it, with whose it is and where it came from. */
export interface SourceRow {
  /** The person (identity across sources), so an opt-out recorded by any source removes every row. */
  readonly personKey: string;
  /** GP-sourced data is also subject to the type 1 objection. */
  readonly fromGpRecord: boolean;
  readonly values: Readonly<Record<string, ExtractCell>>;
}

/** The opt-out decisions per person, loaded in bulk from Consent before the extract runs. */
export interface OptOutRegister {
  hasNationalDataOptOut(personKey: string): boolean;
  hasGpType1Objection(personKey: string): boolean;
}

export interface GovernanceTally {
  rowsIn: number;
  rowsOut: number;
  removedByNationalDataOptOut: { rows: number; persons: number };
  removedByGpType1Objection: { rows: number; persons: number };
  /** Set when the opt-outs were skipped under an exemption: the rows they would have removed, counted anyway. */
  exemption?: OptOutExemption;
}

export interface GovernanceSteps {
  readonly optOuts: OptOutRegister;
  /** Required for pseudonymised output, refused for any other. */
  readonly pseudonymiser?: Pseudonymiser;
  readonly generalisation?: GeneralisationOptions;
}

/** The released header: an NHS number column becomes `<name>_pseudonym` when pseudonymised; dropped columns go. */
export function releasedColumns(
  columns: readonly ExtractColumn[],
  request: ExtractRequest,
  generalisation: GeneralisationOptions = DEFAULT_GENERALISATION,
): string[] {
  return columns.flatMap((column) => {
    if (column.role === 'nhs-number') {
      if (request.identifiability === 'aggregate') return [];
      return [request.identifiability === 'pseudonymised' ? `${column.name}_pseudonym` : column.name];
    }
    if (column.role === 'free-text' && !generalisation.keepFreeText) return [];
    if (column.role === 'record-key' && request.identifiability !== 'identifiable') return [];
    return [column.name];
  });
}

/**
 * Runs rows through the pipeline, streaming. The tally is complete when the iteration ends (it goes into the
 * manifest). Throws GovernanceError before the first row when the steps do not fit the request.
 */
export function governRows(
  request: ExtractRequest,
  columns: readonly ExtractColumn[],
  rows: AsyncIterable<SourceRow> | Iterable<SourceRow>,
  steps: GovernanceSteps,
): { rows: AsyncGenerator<Record<string, ExtractCell>>; tally: GovernanceTally } {
  const generalisation = steps.generalisation ?? DEFAULT_GENERALISATION;
  if (request.identifiability === 'pseudonymised' && !steps.pseudonymiser)
    throw new GovernanceError(['a pseudonymised extract needs the recipient project key']);
  if (request.identifiability !== 'pseudonymised' && steps.pseudonymiser)
    throw new GovernanceError([
      `an ${request.identifiability} extract is not pseudonymised; no key may be given`,
    ]);
  const tally: GovernanceTally = {
    rowsIn: 0,
    rowsOut: 0,
    removedByNationalDataOptOut: { rows: 0, persons: 0 },
    removedByGpType1Objection: { rows: 0, persons: 0 },
    ...(request.optOutExemption ? { exemption: request.optOutExemption } : {}),
  };
  const header = releasedColumns(columns, request, generalisation);
  async function* run(): AsyncGenerator<Record<string, ExtractCell>> {
    const optedOut = new Set<string>();
    const objected = new Set<string>();
    for await (const row of rows) {
      tally.rowsIn++;
      // 1. The opt-outs, before anything else touches the row (counted even under an exemption, for the manifest).
      if (steps.optOuts.hasNationalDataOptOut(row.personKey)) {
        tally.removedByNationalDataOptOut.rows++;
        if (!optedOut.has(row.personKey)) tally.removedByNationalDataOptOut.persons++;
        optedOut.add(row.personKey);
        if (!request.optOutExemption) continue;
      } else if (row.fromGpRecord && steps.optOuts.hasGpType1Objection(row.personKey)) {
        tally.removedByGpType1Objection.rows++;
        if (!objected.has(row.personKey)) tally.removedByGpType1Objection.persons++;
        objected.add(row.personKey);
        if (!request.optOutExemption) continue;
      }
      // 2. Pseudonymisation, then 3. generalisation, column by column.
      const released: Record<string, ExtractCell> = {};
      let at = 0;
      for (const column of columns) {
        const value = row.values[column.name] ?? null;
        switch (column.role) {
          case 'nhs-number':
            if (request.identifiability === 'aggregate') continue;
            released[header[at++]] =
              request.identifiability === 'pseudonymised'
                ? (steps.pseudonymiser!.pseudonymOf(typeof value === 'string' ? value : undefined) ?? null)
                : value;
            continue;
          case 'birth-date':
            released[header[at++]] =
              typeof value === 'string' ? generaliseDate(value, generalisation.birthDate) : value;
            continue;
          case 'postcode':
            released[header[at++]] =
              typeof value === 'string'
                ? (generalisePostcode(value, generalisation.postcode) ?? null)
                : value;
            continue;
          case 'free-text':
            if (!generalisation.keepFreeText) continue;
            released[header[at++]] = value;
            continue;
          case 'record-key':
            // a store key links back to the record: identifiable extracts only
            if (request.identifiability !== 'identifiable') continue;
            released[header[at++]] = value;
            continue;
          default:
            released[header[at++]] = value;
        }
      }
      tally.rowsOut++;
      yield released;
    }
  }
  return { rows: run(), tally };
}

/** Counts released rows by the given columns, for disclosure control. Keys are the cells' text; null is ''. */
export async function countBy(
  rows: AsyncIterable<Record<string, ExtractCell>>,
  dimensions: readonly string[],
): Promise<CountTable> {
  const counts = new Map<string, number>();
  for await (const row of rows) {
    const key = JSON.stringify(dimensions.map((dimension) => String(row[dimension] ?? '')));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return {
    dimensions,
    cells: [...counts].map(([key, count]) => ({ key: JSON.parse(key) as string[], count })),
  };
}
