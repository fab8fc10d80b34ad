import type { Command } from 'commander';
import { withCliContext } from '../cli-context';
import { fhirMessages } from '../publishing/fhir-messages.reader';
import { hl7v2Messages } from '../publishing/hl7v2-messages.reader';
import { preparedMessages } from '../publishing/prepared-messages.reader';
import { formatSummary, publishAll } from '../publishing/publish-runner';
import type { Publishable } from '../publishing/publishable';

/** `publish fhir|hl7|prepared <paths...>`: what an ETL job does, for demos, tests and teams building feeds. */
export function registerPublish(program: Command): void {
  const publish = program.command('publish').description('Publish source-system messages to Kafka');

  publish
    .command('fhir')
    .description(
      'FHIR JSON resources or Bundles (.json) and NDJSON (.ndjson, one resource per line) to fhir.inbound',
    )
    .argument('<paths...>', 'files or directories')
    .requiredOption('-s, --source-system <id>', 'who sent it, e.g. "Y12345:EMIS-Web" (ODS code and system)')
    .option('--no-progress', 'no progress bar')
    .action((paths: string[], options: { sourceSystem: string; progress: boolean }) =>
      run(options.progress, (topics) => fhirMessages(paths, topics.fhirInbound, options.sourceSystem)),
    );

  publish
    .command('hl7')
    .description('HL7 v2 messages (.hl7, .er7, .txt; several per file allowed) to hl7v2.inbound')
    .argument('<paths...>', 'files or directories')
    .requiredOption('-s, --source-system <id>', 'who sent it, e.g. "RXX:PAS"')
    .option('--no-progress', 'no progress bar')
    .action((paths: string[], options: { sourceSystem: string; progress: boolean }) =>
      run(options.progress, (topics) => hl7v2Messages(paths, topics.hl7v2Inbound, options.sourceSystem)),
    );

  publish
    .command('prepared')
    .description(
      'Prepared messages as NDJSON lines {topic, key, headers, value}, e.g. the kafka/ output of generate',
    )
    .argument('<paths...>', 'files or directories')
    .option('--no-progress', 'no progress bar')
    .action((paths: string[], options: { progress: boolean }) =>
      run(options.progress, () => preparedMessages(paths)),
    );
}

async function run(
  progress: boolean,
  input: (topics: { fhirInbound: string; hl7v2Inbound: string }) => AsyncIterable<Publishable>,
): Promise<void> {
  await withCliContext(async (context) => {
    const summary = await publishAll(context.publisher, input(context.config.kafka.topics), {
      progress: progress && process.stderr.isTTY === true,
    });
    process.stdout.write(`${formatSummary(summary)}\n`);
    if (summary.problems.length > 0) process.exitCode = 1;
  });
}
