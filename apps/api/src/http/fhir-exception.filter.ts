import { ArgumentsHost, Catch, HttpException, Inject, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { FhirError, operationOutcome, type IssueCode } from '@continuum/fhir';
import { APP_LOGGER, currentCorrelationId, type Logger } from '@continuum/observability';

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
 * Unknown errors become a generic 500 naming the correlation id, never a stack trace.
 */
@Catch()
export class FhirExceptionFilter implements ExceptionFilter {
  constructor(@Inject(APP_LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, outcome } = this.toOutcome(error);
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
