import { fileLines, inputFiles } from './input-files';
import type { Publishable } from './publishable';

interface PreparedMessage {
  topic: string;
  key?: string | null;
  headers?: Record<string, string>;
  value: string;
}

/**
 * Messages prepared by `generate` (or an ETL job) as NDJSON lines `{ topic, key, headers, value }`, sent as they
 * are: the publisher adds nothing, so what a test or demo sends is exactly what a source system would.
 */
export async function* preparedMessages(paths: string[]): AsyncGenerator<Publishable> {
  for await (const file of inputFiles(paths, ['.ndjson'])) {
    for await (const { line, number } of fileLines(file)) {
      const where = `${file}:${number}`;
      let prepared: PreparedMessage;
      try {
        prepared = JSON.parse(line) as PreparedMessage;
      } catch (error) {
        yield { kind: 'problem', where, reason: `not valid JSON: ${(error as Error).message}` };
        continue;
      }
      if (typeof prepared.topic !== 'string' || typeof prepared.value !== 'string') {
        yield { kind: 'problem', where, reason: 'a prepared message needs string "topic" and "value"' };
        continue;
      }
      yield {
        kind: 'message',
        topic: prepared.topic,
        message: { key: prepared.key ?? null, value: prepared.value, headers: prepared.headers },
      };
    }
  }
}
