import type { CommunityGenerator } from './community.generator';
import type { OutputSink, PersonOutput } from './output/output.model';

export interface GenerationSummary {
  patients: number;
  resources: number;
  resourcesByType: Record<string, number>;
  messages: number;
  messagesBySource: Record<string, number>;
  elapsedMs: number;
  resourcesPerSecond: number;
}

export interface RunOptions {
  patients: number;
  /** First person index; with `patients`, a range, so big communities can be made in parallel chunks. */
  startIndex?: number;
  onPerson?: (done: number, output: PersonOutput) => void;
  /** Injected clock (ms) for elapsed time; the generator itself never reads it. */
  now?: () => number;
}

/** Drives the generator person by person into a sink, counting as it goes; memory holds one person at a time. */
export async function runGeneration(generator: CommunityGenerator, sink: OutputSink, options: RunOptions): Promise<GenerationSummary> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const resourcesByType: Record<string, number> = {};
  const messagesBySource: Record<string, number> = {};
  let resources = 0;
  let messages = 0;
  const count = (out: { resources: Array<{ resourceType: string }>; messages: Array<{ headers: { 'source-system': string } }> }) => {
    for (const r of out.resources) resourcesByType[r.resourceType] = (resourcesByType[r.resourceType] ?? 0) + 1;
    for (const m of out.messages) messagesBySource[m.headers['source-system']] = (messagesBySource[m.headers['source-system']] ?? 0) + 1;
    resources += out.resources.length;
    messages += out.messages.length;
  };
  const start = options.startIndex ?? 0;
  if (start === 0) {
    const directory = generator.directory();
    count(directory);
    await sink.writeDirectory(directory);
  }
  for (let i = 0; i < options.patients; i++) {
    const output = generator.person(start + i);
    count(output);
    await sink.writePerson(output);
    options.onPerson?.(i + 1, output);
  }
  await sink.close();
  const elapsedMs = now() - started;
  return {
    patients: options.patients,
    resources,
    resourcesByType: sortKeys(resourcesByType),
    messages,
    messagesBySource: sortKeys(messagesBySource),
    elapsedMs,
    resourcesPerSecond: elapsedMs > 0 ? Math.round((resources * 1000) / elapsedMs) : 0,
  };
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
