import { readFileSync } from 'node:fs';
import { HttpConfig, loadConfig } from '@continuum/config';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { BulkExportClient, countMismatches } from '../export/bulk-export.client';

interface ExportOptions {
  type?: string;
  since?: string;
  patient?: string[];
  group?: string;
  typeFilter?: string[];
  out: string;
  token?: string;
  base?: string;
}

/**
 * `export [--type …] [--since …] [--patient …] [--group …] --out <dir>`: a FHIR Bulk Data export over HTTP, with a
 * progress bar, resumable downloads and a count check of every file against the manifest.
 */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'Bulk Data export over HTTP ($export): kick off, poll, download (resumably) and check counts',
    )
    .requiredOption('--out <dir>', 'directory for the NDJSON files')
    .option('--type <types>', 'resource types, comma-separated (_type)')
    .option(
      '--since <instant>',
      'only resources changed after this instant (_since); deletions are listed too',
    )
    .option('--patient <id...>', 'Patient export of these patients (and their linked records)')
    .option('--group <id>', 'Group export of this Group’s members')
    .option('--type-filter <query...>', 'e.g. "Condition?clinical-status=active" (_typeFilter)')
    .option(
      '--token <token>',
      'access token (default: $CONTINUUM_TOKEN, or a file named by $CONTINUUM_TOKEN_FILE)',
    )
    .option('--base <url>', 'FHIR base URL (default: FHIR_BASE_URL)')
    .action(async (options: ExportOptions) => {
      const base = (options.base ?? loadConfig(HttpConfig).fhirBaseUrl).replace(/\/$/, '');
      const token =
        options.token ??
        process.env.CONTINUUM_TOKEN ??
        (process.env.CONTINUUM_TOKEN_FILE
          ? readFileSync(process.env.CONTINUUM_TOKEN_FILE, 'utf8').trim()
          : '');
      if (!token)
        throw new Error('An access token is needed: --token, or `npm run cli -- token` into CONTINUUM_TOKEN');
      const bar = new SingleBar(
        { format: ' {phase} |{bar}| {value}/{total} {status}' },
        Presets.shades_classic,
      );
      bar.start(1, 0, { phase: 'exporting  ', status: 'kicked off' });
      const client = new BulkExportClient(base, token, (progress) => {
        if (progress.phase === 'waiting') bar.update(0, { status: progress.status ?? '' });
        else {
          bar.setTotal(progress.filesTotal ?? 1);
          bar.update(progress.filesDone ?? 0, { phase: 'downloading', status: 'files' });
        }
      });
      const params: [string, string][] = [
        ...(options.type ? [['_type', options.type] as [string, string]] : []),
        ...(options.since ? [['_since', options.since] as [string, string]] : []),
        ...(options.typeFilter ?? []).map((filter): [string, string] => ['_typeFilter', filter]),
        ...(options.group
          ? []
          : (options.patient ?? []).map((id): [string, string] => ['patient', `Patient/${id}`])),
      ];
      const path = options.group
        ? `Group/${options.group}/$export`
        : options.patient
          ? 'Patient/$export'
          : '$export';
      try {
        const manifest = await client.manifest(await client.kickOff(path, params));
        const files = await client.download(manifest, options.out);
        bar.stop();
        const wrong = countMismatches(files);
        for (const file of files) process.stdout.write(`${file.type}\t${file.lines}\t${file.path}\n`);
        process.stdout.write(`transactionTime ${manifest.transactionTime}; ${files.length} files\n`);
        if (wrong.length) {
          process.stderr.write(`Counts differ from the manifest: ${wrong.map((f) => f.path).join(', ')}\n`);
          process.exitCode = 1;
        }
      } finally {
        bar.stop();
      }
    });
}
