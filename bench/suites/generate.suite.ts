import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ALL_FORMATS, CommunityGenerator, FileOutputSink, runGeneration } from '@continuum/generator';
import { LatencyRecorder } from '../measure/latency.recorder';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

/** Average resources per generated patient (the Synthea calibration), to turn --resources into a patient count. */
const RESOURCES_PER_PATIENT = 825;

let patients = 0;
let outDir = '';
let measuredResources = 0;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Generator throughput: resources generated and written per second (all formats), latency per patient.
 * Reference: the same bytes copied to disk with plain fs streams, i.e. what the disk alone costs.
 */
export const generateSuite: BenchSuite = {
  name: 'generate',
  description:
    'synthetic community generator (kafka + ndjson + bundles to disk) vs plain fs stream copy of the same bytes',
  defaultResources: 100_000,

  async prepare(ctx: SuiteContext) {
    patients = Math.max(1, Math.round(ctx.options.resources / RESOURCES_PER_PATIENT));
    outDir = join(ctx.workDir, 'generated');
    ctx.log(
      `${patients} patients (≈${RESOURCES_PER_PATIENT} resources each), seed ${ctx.options.extra.seed ?? 'bench'}`,
    );
  },

  async warmup(ctx: SuiteContext) {
    const generator = new CommunityGenerator({ seed: `${ctx.options.extra.seed ?? 'bench'}-warmup` });
    for (let i = 0; i < 10; i++) generator.person(i);
  },

  async measure(ctx: SuiteContext): Promise<RunResult> {
    const generator = new CommunityGenerator({ seed: ctx.options.extra.seed ?? 'bench' });
    const sink = new FileOutputSink(outDir, new Set(ALL_FORMATS));
    const latency = new LatencyRecorder();
    let last = performance.now();
    const summary = await runGeneration(generator, sink, {
      patients,
      onPerson: () => {
        const now = performance.now();
        latency.record(now - last);
        last = now;
      },
    });
    measuredResources = summary.resources;
    return {
      label: 'generate',
      operations: summary.resources,
      unit: 'resources',
      elapsedMs: summary.elapsedMs,
      bytes: sink.bytes,
      latency,
    };
  },

  async reference(ctx: SuiteContext): Promise<RunResult> {
    const copyDir = join(ctx.workDir, 'copy');
    const files = filesUnder(outDir);
    let bytes = 0;
    const latency = new LatencyRecorder();
    const start = performance.now();
    for (const file of files) {
      const target = join(copyDir, file.slice(outDir.length));
      mkdirSync(join(target, '..'), { recursive: true });
      await latency.time(() => pipeline(createReadStream(file), createWriteStream(target)));
      bytes += statSync(target).size;
    }
    const elapsedMs = performance.now() - start;
    // Same unit as the measured run so the ratio compares like with like: the resources those bytes hold.
    return {
      label: 'fs stream copy (reference)',
      operations: measuredResources,
      unit: 'resources',
      elapsedMs,
      bytes,
      latency,
    };
  },

  async teardown(ctx: SuiteContext) {
    if (ctx.options.extra.keep !== 'true') rmSync(ctx.workDir, { recursive: true, force: true });
  },
};
