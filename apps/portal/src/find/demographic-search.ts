import { normalisePostcode, type PdqmQuery } from '@continuum/fhir';

/** The find-by-details form as posted. */
export interface DemographicForm {
  family: string;
  given: string;
  day: string;
  month: string;
  year: string;
  postcode: string;
}

/** A field's problem, for the error summary (the id is the input to link to). */
export interface FieldProblem {
  field: 'family' | 'given' | 'dob-day' | 'postcode';
  message: string;
}

const UK_POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/;
/** Persons one search shows at most: a narrower search is better than a long list of people. */
export const PEOPLE_PER_SEARCH = 10;

const text = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');

export function demographicFormOf(body: Record<string, unknown> | undefined): DemographicForm {
  return {
    family: text(body?.family, 100),
    given: text(body?.given, 100),
    day: text(body?.['dob-day'], 2),
    month: text(body?.['dob-month'], 2),
    year: text(body?.['dob-year'], 4),
    postcode: text(body?.postcode, 10),
  };
}

/**
 * Checks the form and builds the query: a family name and a full date of birth are required (a search by a name
 * alone would list too many people); a given name and a postcode narrow it. The postcode must be a UK postcode.
 */
export function demographicQuery(
  form: DemographicForm,
  today = new Date(),
): { query: PdqmQuery; problems?: never } | { query?: never; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (!/\p{L}/u.test(form.family)) problems.push({ field: 'family', message: 'Enter the family name' });
  const birthDate = dateOf(form.day, form.month, form.year);
  if (!birthDate)
    problems.push({ field: 'dob-day', message: 'Enter a real date of birth, for example 7 3 1948' });
  else if (birthDate > today.toISOString().slice(0, 10))
    problems.push({ field: 'dob-day', message: 'The date of birth must be in the past' });
  const postcode = form.postcode ? normalisePostcode(form.postcode) : '';
  if (postcode && !UK_POSTCODE.test(postcode))
    problems.push({ field: 'postcode', message: 'Enter a real postcode, for example LS1 4AP' });
  if (problems.length) return { problems };
  return {
    query: {
      family: form.family,
      ...(form.given ? { given: form.given } : {}),
      birthDate: birthDate!,
      ...(postcode ? { postcode } : {}),
      count: PEOPLE_PER_SEARCH,
    },
  };
}

function dateOf(day: string, month: string, year: string): string | undefined {
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return undefined;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1 || Number(year) < 1850)
    return undefined;
  return date.toISOString().slice(0, 10);
}
