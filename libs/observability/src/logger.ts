import pino, { type Logger, type LoggerOptions } from 'pino';
import { currentCorrelationId } from './correlation';

/**
 * Structured JSON logs. Never log patient-identifiable data: log ids, counts, codes and reasons, not resources.
 * The redact list is a safety net for the headers and fields most likely to carry secrets or PII.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.nhsNumber',
  '*.resource',
  '*.body',
];

export function loggerOptions(app: string, level: string): LoggerOptions {
  return {
    level,
    base: { app },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const correlationId = currentCorrelationId();
      return correlationId ? { correlationId } : {};
    },
  };
}

export function createLogger(app: string, level: string): Logger {
  return pino(loggerOptions(app, level));
}

export type { Logger };
