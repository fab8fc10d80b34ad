import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { Logger } from '@continuum/observability';
import { acceptCorrelationId, CORRELATION_HEADER } from '@continuum/observability';

/**
 * nestjs-pino settings: one access log line per request (method, route, status, time; no bodies, no query
 * strings, which can hold identifiers), tagged with the request's correlation id, echoed in the response.
 */
export function httpLoggingParams(logger: Logger): Params {
  return {
    pinoHttp: {
      logger,
      genReqId: (request: IncomingMessage, response: ServerResponse) => {
        const id = acceptCorrelationId(
          request.headers[CORRELATION_HEADER] ?? request.headers['x-request-id'],
        );
        response.setHeader(CORRELATION_HEADER, id);
        return id;
      },
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({
          id: request.id,
          method: request.method,
          path: request.url.split('?')[0],
        }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
      autoLogging: { ignore: (request) => request.url === '/metrics' || request.url === '/health/live' },
    },
  };
}
