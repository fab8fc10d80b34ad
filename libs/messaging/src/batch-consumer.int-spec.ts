import { Registry } from 'prom-client';
import { createLogger } from '@continuum/observability';
import { loadConfig, KafkaConfig } from '@continuum/config';
import { testEnv, uniqueSuffix } from '@continuum/testing';
import { BatchConsumer, type ConsumedMessage } from './batch-consumer';
import { createKafka } from './kafka-client';
import { KafkaPublisher } from './publisher';
import { ensureTopics } from './topic-admin';

const logger = createLogger('messaging-int-spec', 'error');
const kafka = createKafka(loadConfig(KafkaConfig, testEnv), logger, 'int-spec');

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('BatchConsumer against the real Kafka', () => {
  const publisher = new KafkaPublisher(kafka);
  afterAll(() => publisher.disconnect());

  it('delivers what was published, retries a failing batch without skipping, and commits only after success', async () => {
    const topic = `test.consumer.${uniqueSuffix()}`;
    const groupId = `test-group-${uniqueSuffix()}`;
    await ensureTopics(kafka, [{ name: topic, partitions: 1, description: 'test' }]);
    await publisher.publish(
      topic,
      Array.from({ length: 20 }, (_, i) => ({
        key: 'patient-1',
        value: `message-${i}`,
        headers: { 'message-id': String(i) },
      })),
    );

    const handled: string[] = [];
    let failuresLeft = 2;
    const consumer = new BatchConsumer(
      kafka,
      {
        groupId,
        topics: [topic],
        maxBatchMessages: 7,
        retry: { initialMs: 20, maxMs: 50 },
        registry: new Registry(),
        handle: async (messages: ConsumedMessage[]) => {
          if (failuresLeft > 0) {
            failuresLeft -= 1;
            throw new Error('database unavailable');
          }
          handled.push(...messages.map((message) => message.value!.toString()));
        },
      },
      logger,
    );
    await consumer.start();
    await waitFor(() => handled.length >= 20);
    await consumer.stop();

    expect(handled).toEqual(Array.from({ length: 20 }, (_, i) => `message-${i}`));

    // A new member of the same group starts after the committed offset: nothing is handled twice.
    await publisher.publish(topic, [{ key: 'patient-1', value: 'message-20' }]);
    const afterRestart: string[] = [];
    const restarted = new BatchConsumer(
      kafka,
      {
        groupId,
        topics: [topic],
        maxBatchMessages: 100,
        handle: async (messages) => {
          afterRestart.push(...messages.map((message) => message.value!.toString()));
        },
      },
      logger,
    );
    await restarted.start();
    await waitFor(() => afterRestart.length >= 1);
    await restarted.stop();
    expect(afterRestart).toEqual(['message-20']);
  });

  it('carries headers, keys and the correlation id to the consumer', async () => {
    const topic = `test.headers.${uniqueSuffix()}`;
    await ensureTopics(kafka, [{ name: topic, partitions: 1, description: 'test' }]);
    await publisher.publish(topic, [
      {
        key: '9000000009',
        value: '{}',
        headers: { 'source-system': 'Y12345:EMIS-Web', 'message-id': 'm-1' },
      },
    ]);
    const received: ConsumedMessage[] = [];
    const consumer = new BatchConsumer(
      kafka,
      {
        groupId: `test-group-${uniqueSuffix()}`,
        topics: [topic],
        maxBatchMessages: 10,
        handle: async (m) => void received.push(...m),
      },
      logger,
    );
    await consumer.start();
    await waitFor(() => received.length === 1);
    await consumer.stop();
    expect(received[0].key?.toString()).toBe('9000000009');
    expect(received[0].headers).toMatchObject({ 'source-system': 'Y12345:EMIS-Web', 'message-id': 'm-1' });
  });
});
