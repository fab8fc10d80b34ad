import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { decodeHeaders } from '@continuum/messaging';

export interface ReadRecord {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning until `count` records have arrived (or fails after the timeout). */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}` });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        records.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          headers: decodeHeaders(message.headers),
        });
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (records.length < count && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    if (records.length < count)
      throw new Error(`read ${records.length} of ${count} records from ${topic} in ${timeoutMs} ms`);
    return records;
  } finally {
    await consumer.disconnect();
  }
}
