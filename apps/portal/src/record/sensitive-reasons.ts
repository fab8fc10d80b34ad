/** Reasons a user may give for seeing the sensitive information a view withholds (audited with their words). */
export const SENSITIVE_REASONS: Record<string, string> = {
  'direct-care': 'I need it for the care I am giving now (for example prescribing or a diagnosis)',
  'patient-agreed': 'The patient asked me to look, or agreed to it',
  safeguarding: 'Safeguarding concern',
};
