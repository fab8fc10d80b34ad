import { Injectable } from '@nestjs/common';
import { KafkaConfig } from '@continuum/config';
import { Header, KafkaPublisher, type ConsumedMessage } from '@continuum/messaging';
import type { Rejection } from './inbound-envelope';

/**
 * Sends refused messages to the dead-letter topic unchanged (same key, value and headers), adding where they
 * came from and why they were refused, so nothing is lost and an operator can fix and replay them.
 */
@Injectable()
export class DeadLetterPublisher {
  constructor(
    private readonly publisher: KafkaPublisher,
    private readonly kafka: KafkaConfig,
  ) {}

  async publish(refused: { message: ConsumedMessage; rejection: Rejection }[]): Promise<void> {
    if (refused.length === 0) return;
    const failedAt = new Date().toISOString();
    await this.publisher.publish(
      this.kafka.topics.ingestDlq,
      refused.map(({ message, rejection }) => ({
        key: message.key,
        value: message.value ?? Buffer.alloc(0),
        headers: {
          ...message.headers,
          [Header.dlqOriginTopic]: message.topic,
          [Header.dlqOriginPartition]: String(message.partition),
          [Header.dlqOriginOffset]: message.offset,
          [Header.dlqErrorCode]: rejection.code,
          [Header.dlqReason]: truncate(rejection.reason, 2_000),
          [Header.dlqOutcome]: truncate(JSON.stringify(rejection.outcome), 16_000),
          [Header.dlqFailedAt]: failedAt,
        },
      })),
    );
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
