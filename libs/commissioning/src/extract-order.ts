import {
  checkExtractRequest,
  DEFAULT_GENERALISATION,
  GovernanceError,
  isPackName,
  NHS_SECONDARY_CARE_RULE,
  PACK_NAMES,
  TRUE_TOTALS_WITH_COMPLEMENTARY_SUPPRESSION,
} from '@continuum/governance';
import type { ExtractRun } from './commissioning-extract.service';

/**
 * An extract as asked for, by the CLI's options or `$extract`'s parameters (strings as they came; the job stores
 * it as it is). `exemption` is `anonymised:<assessment>` or `consented:<record>`.
 */
export interface ExtractOrder {
  readonly pack?: string;
  readonly period?: string;
  readonly requester?: string;
  readonly recipient?: string;
  readonly project?: string;
  readonly purpose?: string;
  readonly legalBasis?: string;
  readonly agreement?: string;
  readonly identifiability?: string;
  readonly exemption?: string;
  readonly birthDate?: string;
  readonly postcode?: string;
  readonly keepFreeText?: boolean;
  readonly trueTotals?: boolean;
}

/** Everything of an ExtractRun but where the files go, the key ring and the snapshot: what the order decides. */
export type PlannedExtract = Omit<ExtractRun, 'outDirectory' | 'keyRing' | 'transactionTime'>;

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const BIRTH_DATE = ['day', 'month', 'year'] as const;
const POSTCODE = ['full', 'district', 'area'] as const;

/**
 * Checks an order before anything is read, naming every gap at once (GovernanceError: the CLI prints them, the API
 * answers 400 with one issue each), and turns it into the run's settings. The CLI and `$extract` both use it.
 */
export function planExtract(order: ExtractOrder): PlannedExtract {
  const problems: string[] = [];
  const pack = order.pack ?? '';
  if (!isPackName(pack)) problems.push(`unknown pack '${pack}': one of ${PACK_NAMES.join(', ')}`);
  if (!PERIOD.test(order.period ?? ''))
    problems.push(`period must be a month, YYYY-MM, not '${order.period ?? ''}'`);
  const birthDate = order.birthDate ?? DEFAULT_GENERALISATION.birthDate;
  if (!(BIRTH_DATE as readonly string[]).includes(birthDate)) problems.push('birthDate must be day, month or year');
  const postcode = order.postcode ?? DEFAULT_GENERALISATION.postcode;
  if (!(POSTCODE as readonly string[]).includes(postcode)) problems.push('postcode must be full, district or area');
  const [basis, ...reference] = (order.exemption ?? '').split(':');
  let request: ExtractRun['request'] | undefined;
  try {
    request = checkExtractRequest({
      requester: order.requester,
      recipient: order.recipient,
      project: order.project ?? 'default',
      purpose: order.purpose,
      legalBasis: order.legalBasis,
      dataSharingAgreement: order.agreement,
      identifiability: order.identifiability ?? 'pseudonymised',
      ...(order.exemption ? { optOutExemption: { basis, reference: reference.join(':') } } : {}),
    });
  } catch (error) {
    if (!(error instanceof GovernanceError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length || !request || !isPackName(pack)) throw new GovernanceError(problems);
  return {
    pack,
    period: order.period as string,
    request,
    generalisation: {
      birthDate: birthDate as (typeof BIRTH_DATE)[number],
      postcode: postcode as (typeof POSTCODE)[number],
      keepFreeText: order.keepFreeText ?? false,
    },
    disclosurePolicy: order.trueTotals ? TRUE_TOTALS_WITH_COMPLEMENTARY_SUPPRESSION : NHS_SECONDARY_CARE_RULE,
  };
}
