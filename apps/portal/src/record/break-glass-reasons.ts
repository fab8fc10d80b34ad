/** Reasons a user may give for seeing a record without a legitimate relationship (break-glass). */
export const BREAK_GLASS_REASONS: Record<string, string> = {
  emergency: 'Emergency care: the patient is in front of me or on the phone',
  'new-referral': 'New referral or transfer of care not yet recorded',
  safeguarding: 'Safeguarding concern',
  'patient-request': 'The patient asked me to look at their record',
};
