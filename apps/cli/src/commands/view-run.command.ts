import { createWriteStream, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { HttpConfig, loadConfig } from '@continuum/config';

interface ViewRunOptions {
  format: string;
  out: string;
  base?: string;
  token?: string;
  patient?: string;
  group?: string;
  since?: string;
  limit?: string;
  header: boolean;
}

/**
 * `view:run <url|file> --format csv --out <file>`: runs a ViewDefinition through the API's `ViewDefinition/$run`
 * with the caller's token (CONTINUUM_TOKEN or --token), so the rows are governed as every read is (scopes, consent,
 * the national data opt-out for secondary-use purposes, audit). A file is sent inline as `viewResource`; anything
 * else is a stored view's canonical `url` or `url|version`. The rows stream to `<out>.part`, renamed to `<out>`
 * when complete, with a progress bar of rows and bytes.
 */
export function registerViewRun(program: Command): void {
  program
    .command('view:run')
    .description(
      'Run a SQL on FHIR ViewDefinition (stored url|version, or a JSON file) through the API into a file',
    )
    .argument('<view>', 'a stored view url (url|version), or a ViewDefinition JSON file')
    .requiredOption('-o, --out <file>', 'where to write the rows')
    .option('-f, --format <format>', 'csv, ndjson, json or parquet', 'csv')
    .option('--base <url>', 'FHIR base URL (default FHIR_BASE_URL)')
    .option('--token <token>', 'access token (default CONTINUUM_TOKEN); see `token`')
    .option('--patient <id>', "only this patient's (person's) rows")
    .option('--group <id>', "only this Group's members' rows")
    .option('--since <instant>', 'only resources changed after this instant')
    .option('--limit <rows>', 'at most this many rows')
    .option('--no-header', 'CSV without the header row')
    .action(async (view: string, options: ViewRunOptions) => {
      const base = options.base ?? loadConfig(HttpConfig).fhirBaseUrl;
      const token = options.token ?? process.env.CONTINUUM_TOKEN;
      if (!token)
        throw new Error('view:run needs a token: --token or CONTINUUM_TOKEN (npm run cli -- token ...)');
      const query = new URLSearchParams({ _format: options.format });
      if (!options.header) query.set('header', 'false');
      for (const [name, value] of [
        ['patient', options.patient],
        ['group', options.group],
        ['_since', options.since],
        ['_limit', options.limit],
      ] as const)
        if (value !== undefined) query.set(name, value);
      const inline = existsSync(view);
      if (!inline) query.set('viewReference', view);
      const response = await fetch(`${base}/ViewDefinition/$run?${query}`, {
        method: inline ? 'POST' : 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          ...(inline ? { 'content-type': 'application/fhir+json' } : {}),
        },
        body: inline
          ? JSON.stringify({
              resourceType: 'Parameters',
              parameter: [{ name: 'viewResource', resource: JSON.parse(readFileSync(view, 'utf8')) }],
            })
          : undefined,
      });
      if (response.status !== 200 || !response.body)
        throw new Error(`$run answered ${response.status}: ${await response.text()}`);
      await download(response.body, options.out, options.format);
    });
}

async function download(body: ReadableStream<Uint8Array>, out: string, format: string): Promise<void> {
  const partial = `${out}.part`;
  const file = createWriteStream(partial);
  const bar = process.stderr.isTTY
    ? new SingleBar(
        { format: 'view:run | {rows} rows | {mb} MB | {rate} rows/s', hideCursor: true },
        Presets.shades_classic,
      )
    : undefined;
  const started = Date.now();
  // lines are rows in the text formats; Parquet is binary, its progress is bytes
  const countsLines = format !== 'parquet';
  let rows = 0;
  let bytes = 0;
  bar?.start(0, 0, { rows, mb: '0.0', rate: 0 });
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      if (countsLines) for (const byte of chunk) if (byte === 10) rows++;
      if (!file.write(chunk)) await once(file, 'drain');
      const seconds = (Date.now() - started) / 1000;
      bar?.update(0, {
        rows,
        mb: (bytes / 1e6).toFixed(1),
        rate: Math.round(rows / Math.max(seconds, 0.001)),
      });
    }
    file.end();
    await once(file, 'finish');
    renameSync(partial, out);
  } catch (error) {
    file.destroy();
    rmSync(partial, { force: true });
    throw error;
  } finally {
    bar?.stop();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`${out}: ${bytes} bytes${countsLines ? `, ${rows} lines` : ''} (${format}) in ${seconds} s\n`);
}
