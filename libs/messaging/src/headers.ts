import type { IHeaders } from 'kafkajs';

/** Kafka header names of Continuum's message contract (see docs/messaging.md). */
export const Header = {
  sourceSystem: 'source-system',
  messageId: 'message-id',
  contentType: 'content-type',
  correlationId: 'correlation-id',
  // Dead-letter headers: where the message came from and why it was refused.
  dlqOriginTopic: 'dlq-origin-topic',
  dlqOriginPartition: 'dlq-origin-partition',
  dlqOriginOffset: 'dlq-origin-offset',
  dlqErrorCode: 'dlq-error-code',
  dlqReason: 'dlq-reason',
  dlqOutcome: 'dlq-operation-outcome',
  dlqFailedAt: 'dlq-failed-at',
} as const;

/** Kafka headers as plain strings (kafkajs hands them over as Buffers, possibly repeated). */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) decoded[name.toLowerCase()] = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  }
  return decoded;
}
