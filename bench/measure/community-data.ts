import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Resource } from 'fhir/r4';
import { CommunityGenerator } from '@continuum/generator';

/**
 * The generator's community as resource JSON lines, the shared directory first, then whole people until at least
 * `count` resources: generated one person at a time, so memory stays flat at a million resources.
 */
export function* communityLines(seed: string, count: number): Generator<string> {
  const generator = new CommunityGenerator({ seed, formats: ['ndjson'] });
  let produced = 0;
  for (const resource of generator.directory().resources) {
    produced++;
    yield resource.json;
  }
  for (let person = 0; produced < count; person++) {
    for (const resource of generator.person(person).resources) {
      produced++;
      yield resource.json;
    }
  }
}

/** Writes `communityLines` to an NDJSON file; returns the number of lines and bytes. */
export async function writeCommunityFile(
  path: string,
  seed: string,
  count: number,
): Promise<{ lines: number; bytes: number }> {
  const out = createWriteStream(path);
  let lines = 0;
  let bytes = 0;
  for (const line of communityLines(seed, count)) {
    lines++;
    bytes += Buffer.byteLength(line) + 1;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { lines, bytes };
}

/** Batches of parsed resources from an NDJSON file, read as it goes. */
export async function* resourceBatches(path: string, size: number): AsyncGenerator<Resource[]> {
  let batch: Resource[] = [];
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (!line) continue;
    batch.push(JSON.parse(line) as Resource);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Hands batches to `write` with up to `concurrency` in flight, as the bulk path's real callers (one ingest worker
 * per Kafka partition) do; on two cores that overlaps the app's CPU work with Postgres's.
 */
export async function writeConcurrently<T>(
  batches: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  write: (batch: T) => Promise<void>,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for await (const batch of batches) {
    const task: Promise<void> = write(batch).finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}
