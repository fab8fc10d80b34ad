import { badRequest } from '@continuum/fhir';

/** A reason the user gives for seeing more of a record: a code from a fixed list and their own words. */
export interface GivenReason {
  code: string;
  detail: string;
}

/** The form asking for a reason: its choices and, after a refused submit, what was given and what is wrong. */
export interface ReasonForm {
  choices: { code: string; text: string }[];
  chosen?: string;
  detail: string;
  error?: string;
  /** The field the error summary links to. */
  errorTarget?: string;
}

export const MIN_DETAIL = 10;

export function reasonForm(reasons: Record<string, string>): ReasonForm {
  return { choices: Object.entries(reasons).map(([code, text]) => ({ code, text })), detail: '' };
}

/** The reason a posted form gives, or the form again saying what is missing. The text must be one line. */
export function readReason(
  body: { reason?: unknown; detail?: unknown } | undefined,
  reasons: Record<string, string>,
): { reason: GivenReason } | { form: ReasonForm } {
  const code = typeof body?.reason === 'string' && reasons[body.reason] ? body.reason : undefined;
  const detail = typeof body?.detail === 'string' ? body.detail.trim().slice(0, 500) : '';
  if (!code || detail.length < MIN_DETAIL) {
    const form = reasonForm(reasons);
    return {
      form: {
        ...form,
        chosen: code,
        detail,
        error: !code ? 'Choose a reason' : `Say why (at least ${MIN_DETAIL} characters)`,
        errorTarget: !code ? `reason-${form.choices[0].code}` : 'detail',
      },
    };
  }
  if (/[\r\n]/.test(detail)) throw badRequest('The reason must be one line');
  return { reason: { code, detail } };
}
