import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { figuresOf, ratio, renderReport, type BenchReport } from './measure/bench.report';
import { ProcessMemorySampler } from './measure/process-memory.sampler';
import type { SuiteContext } from './suite';
import { suites } from './suites';

/** `npm run bench -- <suite> [--resources <N>] [--json <file>] [--<key> <value> ...]` */
async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const suite = name ? suites[name] : undefined;
  if (!suite) {
    process.stderr.write(
      `usage: npm run bench -- <suite> [--resources <N>] [--json <file>]\nsuites: ${Object.keys(suites).join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const extra: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    if (!flag.startsWith('--')) throw new Error(`unexpected argument '${flag}'`);
    extra[flag.slice(2)] = rest[i + 1] ?? 'true';
    if (rest[i + 1] !== undefined && !rest[i + 1].startsWith('--')) i++;
  }
  const resources = extra.resources ? Number(extra.resources) : suite.defaultResources;
  if (!Number.isInteger(resources) || resources <= 0)
    throw new Error('--resources must be a positive whole number');
  const jsonFile = extra.json;
  const log = (line: string) => process.stderr.write(`[${suite.name}] ${line}\n`);
  const memory = new ProcessMemorySampler();
  const ctx: SuiteContext = {
    options: { resources, extra },
    workDir: mkdtempSync(join(tmpdir(), `continuum-bench-${suite.name}-`)),
    memory,
    log,
  };
  const startedAt = new Date().toISOString();
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    memory.stop();
    log('teardown');
    await suite.teardown(ctx);
  };
  // Ctrl-C or a kill mid-run still drops the scratch databases, topics and indices the suite made.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void teardown()
        .catch((error: unknown) => log(`teardown failed: ${String(error)}`))
        .finally(() => process.exit(130));
    });
  try {
    log('prepare');
    await suite.prepare(ctx);
    log('warmup');
    await suite.warmup(ctx);
    memory.start();
    log('measure');
    const result = figuresOf(await suite.measure(ctx));
    log('reference');
    const reference = figuresOf(await suite.reference(ctx));
    const report: BenchReport = {
      suite: suite.name,
      description: suite.description,
      startedAt,
      options: { resources, ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'json')) },
      environment: {
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
      },
      result,
      reference,
      ratioToReference: ratio(result, reference),
      memory: memory.stop(),
    };
    process.stdout.write(`${renderReport(report)}\n`);
    if (jsonFile) {
      writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
      log(`wrote ${jsonFile}`);
    }
  } finally {
    await teardown();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
