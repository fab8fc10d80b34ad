import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import {
  agreeing,
  memoryEngine,
  runSuiteFile,
  type SuiteFile,
  type TestReport,
  type ViewEngine,
} from '@continuum/fhir';
import { scratchViewEngine } from '@continuum/store';
import { withCliContext } from '../cli-context';

interface SuiteOptions {
  engine: 'memory' | 'sql' | 'both';
  report: string;
}

/**
 * `views:suite <dir>`: runs every SQL on FHIR v2 test file of a directory through the in-memory evaluator, the
 * compiled SQL (over a scratch schema it drops afterwards), or both (a test passes when both pass with the same
 * rows), and writes the suite's test_report.json.
 */
export function registerViewsSuite(program: Command): void {
  program
    .command('views:suite')
    .description('Run a directory of SQL on FHIR v2 test files and write test_report.json')
    .argument('<dir>', 'a directory of suite files (*.json), such as test/fixtures/sql-on-fhir-v2/tests')
    .option('-e, --engine <engine>', 'memory, sql or both', 'both')
    .option('-r, --report <file>', 'where to write the report', 'test_report.json')
    .action(async (dir: string, options: SuiteOptions) => {
      const files = readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .sort();
      const needsSql = options.engine !== 'memory';
      const report: TestReport = {};
      let passed = 0;
      let failed = 0;
      const run = async (engine: ViewEngine) => {
        for (const name of files) {
          const file = JSON.parse(readFileSync(join(dir, name), 'utf8')) as SuiteFile;
          const tests = await runSuiteFile(file, engine);
          report[basename(name)] = { tests };
          for (const test of tests) {
            if (test.result.passed) passed++;
            else {
              failed++;
              process.stdout.write(`FAIL ${name} › ${test.name}: ${test.result.reason}\n`);
            }
          }
        }
      };
      if (!needsSql) await run(memoryEngine);
      else
        await withCliContext(async (context) => {
          const scratch = await scratchViewEngine(context.sql, `sof_suite_${process.pid}`);
          try {
            await run(options.engine === 'sql' ? scratch.engine : agreeing(memoryEngine, scratch.engine));
          } finally {
            await scratch.close();
          }
        });
      writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(`${passed} passed, ${failed} failed\nreport: ${options.report}\n`);
      if (failed) process.exitCode = 1;
    });
}
