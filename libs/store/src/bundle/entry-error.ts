import { FhirError, type Problem } from '@continuum/fhir';
import type { OperationOutcome } from 'fhir/r4';

/**
 * Re-locates an error inside a bundle entry: `Patient.gender` becomes `Bundle.entry[3].resource.gender`, an issue
 * without a location gets `Bundle.entry[3]`, and each message names the entry. Anything but a FhirError is
 * returned unchanged: an unexpected failure stays one (the edge answers a generic 500, details only in logs).
 */
export function atEntry(error: unknown, index: number): unknown {
  if (!(error instanceof FhirError)) return error;
  const outcome: OperationOutcome = error.outcome;
  return new FhirError(error.status, {
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
