import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import { isRetryableStatus } from './transient-fault';

export type IssueSeverity = OperationOutcomeIssue['severity'];
export type IssueCode = OperationOutcomeIssue['code'];

/** One problem found in a request or a message, with where it is (a FHIRPath expression) when known. */
export interface Problem {
  code: IssueCode;
  diagnostics: string;
  severity?: IssueSeverity;
  expression?: string[];
}

export function operationOutcome(problems: Problem[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: problems.map(({ severity = 'error', code, diagnostics, expression }) => ({
      severity,
      code,
      diagnostics,
      ...(expression?.length ? { expression } : {}),
    })),
  };
}

export function informational(diagnostics: string, code: IssueCode = 'informational'): OperationOutcome {
  return operationOutcome([{ severity: 'information', code, diagnostics }]);
}

/**
 * The one error type domain code throws. It carries the OperationOutcome to return and an HTTP-like status,
 * so the HTTP edge (exception filter) and the ingest consumer (dead-letter reason) map it the same way.
 */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly outcome: OperationOutcome,
  ) {
    super(outcome.issue.map((issue) => issue.diagnostics ?? issue.code).join('; '));
    this.name = 'FhirError';
  }

  /** True when retrying the same input can succeed (e.g. a version conflict), false for input that is simply wrong. */
  get retryable(): boolean {
    return isRetryableStatus(this.status);
  }

  static of(status: number, code: IssueCode, diagnostics: string, expression?: string[]): FhirError {
    return new FhirError(status, operationOutcome([{ code, diagnostics, expression }]));
  }
}

export const badRequest = (diagnostics: string, expression?: string[]) =>
  FhirError.of(400, 'invalid', diagnostics, expression);
export const notSupported = (diagnostics: string) => FhirError.of(400, 'not-supported', diagnostics);
export const notFound = (diagnostics: string) => FhirError.of(404, 'not-found', diagnostics);
export const gone = (diagnostics: string) => FhirError.of(410, 'deleted', diagnostics);
export const conflict = (diagnostics: string) => FhirError.of(409, 'conflict', diagnostics);
export const preconditionFailed = (diagnostics: string) => FhirError.of(412, 'conflict', diagnostics);
export const unprocessable = (problems: Problem[]) => new FhirError(422, operationOutcome(problems));
export const forbidden = (diagnostics: string) => FhirError.of(403, 'forbidden', diagnostics);
export const unauthorized = (diagnostics: string) => FhirError.of(401, 'login', diagnostics);
export const tooManyRequests = (diagnostics: string) => FhirError.of(429, 'throttled', diagnostics);

export function isFhirError(error: unknown): error is FhirError {
  return error instanceof FhirError;
}
