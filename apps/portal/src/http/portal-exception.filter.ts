import { isFhirError } from '@continuum/fhir';
import { currentCorrelationId } from '@continuum/observability';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';

const TITLES: Record<number, string> = {
  400: 'The request could not be understood',
  401: 'You need to open the portal from your clinical system',
  403: 'You cannot see this record',
  404: 'Page not found',
  410: 'This record has been removed',
  429: 'Too many requests',
};

/** Every error is a page in the design system (never a stack trace), with the correlation id for support. */
@Catch()
export class PortalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('portal');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const status = isFhirError(error)
      ? error.status
      : error instanceof HttpException
        ? error.getStatus()
        : 500;
    if (status >= 500) this.logger.error(error instanceof Error ? error.message : String(error));
    const detail =
      status >= 500
        ? 'Something went wrong. Try again, or contact support quoting the reference below.'
        : error instanceof Error
          ? error.message
          : '';
    response.status(status).render('error', {
      title: TITLES[status] ?? 'Sorry, there is a problem with the service',
      detail,
      status,
      reference: currentCorrelationId(),
    });
  }
}
