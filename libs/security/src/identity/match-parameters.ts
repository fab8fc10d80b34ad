import { badRequest, FhirError, findProblems, operationOutcome } from '@continuum/fhir';
import type { Parameters, ParametersParameter, Patient } from 'fhir/r4';

/** What `Patient/$match` was asked (IHE ITI-119 / FHIR R4 Patient-match). */
export interface MatchRequest {
  patient: Patient;
  onlyCertainMatches: boolean;
  count: number;
}

export const DEFAULT_MATCH_COUNT = 10;
export const MAX_MATCH_COUNT = 100;

/**
 * Reads the `$match` input Parameters: `resource` (a Patient, required, valid), `onlyCertainMatches` (boolean) and
 * `count` (1..MAX_MATCH_COUNT). Anything else is a 400 naming the parameter, so a client learns what it got wrong.
 */
export function parseMatchParameters(body: unknown): MatchRequest {
  if (!isParameters(body))
    throw badRequest('$match takes a Parameters resource (with a Patient in the parameter "resource")');
  assertParametersShape(body);
  const named = (name: string) => (body.parameter ?? []).filter((parameter) => parameter.name === name);
  const known = new Set(['resource', 'onlyCertainMatches', 'count']);
  const unknown = (body.parameter ?? [])
    .map((parameter) => parameter.name)
    .filter((name) => !known.has(name));
  if (unknown.length) throw badRequest(`Unknown $match parameter(s): ${[...new Set(unknown)].join(', ')}`);
  for (const name of known)
    if (named(name).length > 1) throw badRequest(`The $match parameter "${name}" is given more than once`);
  const [resource] = named('resource');
  if (!resource?.resource)
    throw badRequest('The $match parameter "resource" (the Patient to match) is missing', [
      'Parameters.parameter.where(name = "resource")',
    ]);
  if (resource.resource.resourceType !== 'Patient')
    throw badRequest(
      `The $match parameter "resource" must be a Patient, not a ${resource.resource.resourceType}`,
      ['Parameters.parameter.where(name = "resource").resource'],
    );
  const errors = findProblems(resource.resource).filter(
    (problem) => (problem.severity ?? 'error') === 'error' || problem.severity === 'fatal',
  );
  if (errors.length)
    throw new FhirError(
      400,
      operationOutcome(
        errors.map((problem) => ({
          ...problem,
          diagnostics: `The $match parameter "resource" is not a valid Patient: ${problem.diagnostics}`,
        })),
      ),
    );
  return {
    patient: resource.resource as Patient,
    onlyCertainMatches: booleanOf(named('onlyCertainMatches')[0]),
    count: countOf(named('count')[0]),
  };
}

function isParameters(body: unknown): body is Parameters {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { resourceType?: unknown }).resourceType === 'Parameters'
  );
}

/**
 * The shape every operation's Parameters must have before its values are read: `parameter` an array of objects,
 * each with a string `name` (a body that is JSON but not that is a 400, never a TypeError).
 */
export function assertParametersShape(body: Parameters): void {
  const { parameter } = body as { parameter?: unknown };
  if (parameter === undefined) return;
  if (
    !Array.isArray(parameter) ||
    parameter.some(
      (item: unknown) =>
        typeof item !== 'object' || item === null || typeof (item as { name?: unknown }).name !== 'string',
    )
  )
    throw badRequest('Parameters.parameter must be a list of parameters, each with a name', [
      'Parameters.parameter',
    ]);
}

function booleanOf(parameter: ParametersParameter | undefined): boolean {
  if (!parameter) return false;
  if (typeof parameter.valueBoolean !== 'boolean')
    throw badRequest('The $match parameter "onlyCertainMatches" must be a valueBoolean');
  return parameter.valueBoolean;
}

function countOf(parameter: ParametersParameter | undefined): number {
  if (!parameter) return DEFAULT_MATCH_COUNT;
  const value = parameter.valueInteger ?? parameter.valuePositiveInt;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw badRequest('The $match parameter "count" must be a positive integer (valueInteger)');
  return Math.min(value, MAX_MATCH_COUNT);
}
