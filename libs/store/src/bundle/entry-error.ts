import { FhirError, operationOutcome, type Problem } from '@continuum/fhir';
import type { OperationOutcome } from 'fhir/r4';

/**
 * Re-locates an error inside a bundle entry: `Patient.gender` becomes `Bundle.entry[3].resource.gender`, an issue
 * without a location gets `Bundle.entry[3]`, and each message names the entry.
 */
export function atEntry(error: unknown, index: number): FhirError {
  const outcome: OperationOutcome =
    error instanceof FhirError
      ? error.outcome
      : operationOutcome([{ code: 'exception', diagnostics: (error as Error).message }]);
  const status = error instanceof FhirError ? error.status : 500;
  return new FhirError(status, {
    ...outcome,
    issue: outcome.issue.map((issue) => ({
      ...issue,
      diagnostics: `Bundle.entry[${index}]: ${issue.diagnostics ?? issue.code}`,
      expression: issue.expression?.length
        ? issue.expression.map((path) => relocate(path, index))
        : [`Bundle.entry[${index}]`],
    })),
  });
}

export function problemsAtEntry(problems: Problem[], index: number): Problem[] {
  return problems.map((problem) => ({
    ...problem,
    diagnostics: `Bundle.entry[${index}]: ${problem.diagnostics}`,
    expression: problem.expression?.length
      ? problem.expression.map((path) => relocate(path, index))
      : [`Bundle.entry[${index}]`],
  }));
}

function relocate(path: string, index: number): string {
  if (path.startsWith('Bundle.entry[')) return path;
  const dot = path.indexOf('.');
  return dot < 0 ? `Bundle.entry[${index}].resource` : `Bundle.entry[${index}].resource${path.slice(dot)}`;
}
