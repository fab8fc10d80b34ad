import { Kafka, logLevel as KafkaLogLevel, type LogEntry } from 'kafkajs';
import type { KafkaConfig } from '@continuum/config';
import type { Logger } from '@continuum/observability';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * kafkajs messages that are expected and harmless here: first coordinator lookups after a broker start (kafkajs
 * retries them itself), and the notice that bounded producer retries weaken exactly-once delivery (we rely on
 * idempotent consumers keyed on message ids, not on Kafka transactions).
 */
const EXPECTED_NOISE = /coordinator (is )?(loading|not available)|Limiting retries for the idempotent producer/i;

/** A kafkajs client whose logs go to our structured logger instead of the console. */
export function createKafka(config: KafkaConfig, logger: Logger, clientSuffix?: string): Kafka {
  return new Kafka({
    clientId: clientSuffix ? `${config.clientId}-${clientSuffix}` : config.clientId,
    brokers: config.brokers,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 8 },
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, namespace, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _logger, ...extra } = log;
        const severity = EXPECTED_NOISE.test(message) ? 'debug' : LEVELS[level];
        logger[severity ?? 'info']({ kafka: namespace, ...extra }, message);
      },
  });
}
