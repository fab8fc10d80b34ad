import { ArgumentsHost, Catch, HttpException, Inject, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { OperationOutcome } from 'fhir/r4';
import { FhirError, operationOutcome, type IssueCode } from '@continuum/fhir';
import { APP_LOGGER, currentCorrelationId, type Logger } from '@continuum/observability';
import { RequestAuditor } from '../security/request.auditor';

const HTTP_ISSUE_CODES: Record<number, IssueCode> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  406: 'not-supported',
  409: 'conflict',
  410: 'deleted',
  412: 'conflict',
  413: 'too-costly',
  415: 'not-supported',
  422: 'processing',
  429: 'throttled',
};

/**
 * The one place where errors become HTTP responses: every error is an OperationOutcome with the right status.
 * Unknown errors become a generic 500 naming the correlation id, never a stack trace. A request refused or failed
 * before the data layer audited it (guard, rate limit, input, routing, an error outside the secured store) is
 * audited here, before the answer leaves.
 */
@Catch()
export class FhirExceptionFilter implements ExceptionFilter {
  constructor(
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly auditor: RequestAuditor,
  ) {}

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const { status, outcome } = this.toOutcome(error);
    try {
      await this.auditor.beforeAnswer(request, response, status, `${status} ${describe(outcome)}`);
    } catch (auditError) {
      // the answer is an error already: it still goes, and the failed audit write is logged loudly
      this.logger.error({ err: String(auditError) }, 'audit of a refused or failed request failed');
    }
    if (response.headersSent) return;
    if (error instanceof FhirError && error.retryAfterSeconds !== undefined)
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
    response.status(status).type('application/fhir+json').send(JSON.stringify(outcome));
  }

  private toOutcome(error: unknown) {
    if (error instanceof FhirError) return { status: error.status, outcome: error.outcome };
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const code = HTTP_ISSUE_CODES[status] ?? (status >= 500 ? 'exception' : 'invalid');
      return { status, outcome: operationOutcome([{ code, diagnostics: error.message }]) };
    }
    const correlationId = currentCorrelationId();
    this.logger.error(
      {
        err:
          error instanceof Error
            ? { type: error.name, message: error.message, stack: error.stack }
            : String(error),
      },
      'unhandled error',
    );
    return {
      status: 500,
      outcome: operationOutcome([
        {
          code: 'exception',
          diagnostics: `Internal error; quote correlation id ${correlationId ?? 'unknown'} when reporting it`,
        },
      ]),
    };
  }
}

function describe(outcome: OperationOutcome): string {
  return outcome.issue.map((issue) => issue.diagnostics ?? issue.code).join('; ');
}
