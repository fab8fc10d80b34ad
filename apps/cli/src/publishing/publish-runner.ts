import { Presets, SingleBar } from 'cli-progress';
import type { KafkaPublisher, OutgoingMessage } from '@continuum/messaging';
import type { Publishable } from './publishable';

export interface PublishSummary {
  messages: number;
  bytes: number;
  byTopic: Record<string, number>;
  problems: { where: string; reason: string }[];
  seconds: number;
}

const BATCH_SIZE = 500;

/** Sends messages in batches per topic, showing progress on stderr; input problems are collected, not fatal. */
export async function publishAll(
  publisher: KafkaPublisher,
  input: AsyncIterable<Publishable>,
  options: { progress: boolean },
): Promise<PublishSummary> {
  const started = performance.now();
  const summary: PublishSummary = { messages: 0, bytes: 0, byTopic: {}, problems: [], seconds: 0 };
  const pending = new Map<string, OutgoingMessage[]>();
  const bar = options.progress
    ? new SingleBar(
        { format: 'publishing | {value} messages | {rate} msg/s | {problems} problems', hideCursor: true },
        Presets.shades_classic,
      )
    : undefined;
  bar?.start(0, 0, { rate: 0, problems: 0 });

  const flush = async (topic: string) => {
    const batch = pending.get(topic);
    if (!batch?.length) return;
    pending.set(topic, []);
    await publisher.publish(topic, batch);
    summary.messages += batch.length;
    summary.byTopic[topic] = (summary.byTopic[topic] ?? 0) + batch.length;
    const elapsed = (performance.now() - started) / 1000;
    bar?.setTotal(summary.messages);
    bar?.update(summary.messages, {
      rate: Math.round(summary.messages / Math.max(elapsed, 0.001)),
      problems: summary.problems.length,
    });
  };

  for await (const item of input) {
    if (item.kind === 'problem') {
      summary.problems.push({ where: item.where, reason: item.reason });
      continue;
    }
    summary.bytes += Buffer.byteLength(item.message.value);
    const batch = pending.get(item.topic) ?? [];
    batch.push(item.message);
    pending.set(item.topic, batch);
    if (batch.length >= BATCH_SIZE) await flush(item.topic);
  }
  for (const topic of pending.keys()) await flush(topic);
  bar?.stop();
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

export function formatSummary(summary: PublishSummary): string {
  const lines = [
    `Published ${summary.messages} messages (${(summary.bytes / 1024 / 1024).toFixed(1)} MiB) in ${summary.seconds.toFixed(1)} s` +
      ` (${Math.round(summary.messages / Math.max(summary.seconds, 0.001))} msg/s)`,
    ...Object.entries(summary.byTopic).map(([topic, count]) => `  ${topic}: ${count}`),
  ];
  if (summary.problems.length > 0) {
    lines.push(`${summary.problems.length} inputs not sent:`);
    for (const problem of summary.problems.slice(0, 20)) lines.push(`  ${problem.where}: ${problem.reason}`);
    if (summary.problems.length > 20) lines.push(`  ... and ${summary.problems.length - 20} more`);
  }
  return lines.join('\n');
}
