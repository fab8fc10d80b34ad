/** Why a launch was refused: each has its own page text and is audited with it. */
export type LaunchRefusalReason =
  | 'invalid-token'
  | 'expired'
  | 'wrong-audience'
  | 'replay'
  | 'invalid-nhs-number'
  | 'birth-date-mismatch'
  | 'no-record'
  | 'missing-claims'
  | 'untrusted-issuer'
  | 'bad-state'
  | 'authorization-refused'
  | 'token-refused';

const TITLES: Record<LaunchRefusalReason, string> = {
  'invalid-token': 'The launch link is not valid',
  expired: 'The launch link has expired',
  'wrong-audience': 'The launch link was not made for this portal',
  replay: 'The launch link has already been used',
  'invalid-nhs-number': 'The NHS number in the launch link is not valid',
  'birth-date-mismatch': 'The date of birth does not match the record',
  'no-record': 'No record was found for this patient',
  'missing-claims': 'The launch link is incomplete',
  'untrusted-issuer': 'The launch came from a server this portal does not trust',
  'bad-state': 'The launch could not be completed',
  'authorization-refused': 'The shared care record refused the launch',
  'token-refused': 'The shared care record did not confirm the launch',
};

/** A refused launch: the page shows the title and detail; the AuditEvent records the detail. */
export class LaunchRefusal extends Error {
  /** Who launched, once the token was verified (the audit names them). */
  caller?: { subject: string; organisation: string };

  constructor(
    readonly reason: LaunchRefusalReason,
    readonly detail: string,
    readonly status = 403,
  ) {
    super(`${TITLES[reason]}: ${detail}`);
    this.name = 'LaunchRefusal';
  }

  get title(): string {
    return TITLES[this.reason];
  }
}
