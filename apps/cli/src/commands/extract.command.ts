import { readFileSync } from 'node:fs';
import { createCommissioningExtracts, type ExtractProgress, planExtract } from '@continuum/commissioning';
import { DEFAULT_GENERALISATION, GovernanceError, type KeyRingDocument, PACK_NAMES } from '@continuum/governance';
import type { Command } from 'commander';
import { withCliContext } from '../cli-context';

interface ExtractOptions {
  period: string;
  requester?: string;
  recipient?: string;
  project?: string;
  purpose?: string;
  legalBasis?: string;
  agreement?: string;
  identifiability: string;
  keyFile?: string;
  exemption?: string;
  birthDate: 'day' | 'month' | 'year';
  postcode: 'full' | 'district' | 'area';
  keepFreeText?: boolean;
  trueTotals?: boolean;
  out: string;
}

/**
 * `extract <pack> --period YYYY-MM --recipient … --purpose … --legal-basis … --agreement … --out <dir>`: a governed
 * commissioning extract (docs/commissioning.md), read through the secured door, with progress on stderr and the
 * manifest on stdout. A request missing its purpose, legal basis or agreement is refused naming every gap.
 */
export function registerExtract(program: Command): void {
  program
    .command('extract <pack>')
    .description(`Governed commissioning extract of one pack for one month: ${PACK_NAMES.join(', ')}`)
    .requiredOption('--period <YYYY-MM>', 'the activity month')
    .requiredOption('--out <dir>', 'directory for the CSV files and the manifest')
    .option('--requester <who>', 'who asks (default: $USER)')
    .option('--recipient <id>', 'the organisation receiving the files')
    .option('--project <id>', "the recipient's project (its pseudonym key is per project)", 'default')
    .option('--purpose <code>', 'purpose of use: HOPERAT, HPAYMT, HRESCH, PUBHLTH or HMARKT')
    .option('--legal-basis <text>', 'the legal basis for the flow')
    .option('--agreement <ref>', 'the data-sharing agreement reference')
    .option('--identifiability <kind>', 'identifiable, pseudonymised or aggregate', 'pseudonymised')
    .option('--key-file <file>', 'the key ring (JSON, outside the database) for pseudonymised extracts')
    .option(
      '--exemption <basis:reference>',
      'skip the opt-outs: anonymised:<assessment> (aggregates) or consented:<record>',
    )
    .option('--birth-date <precision>', 'day, month or year', DEFAULT_GENERALISATION.birthDate)
    .option('--postcode <precision>', 'full, district or area', DEFAULT_GENERALISATION.postcode)
    .option('--keep-free-text', 'keep free-text columns (dropped by default)')
    .option('--true-totals', 'publish true totals with complementary suppression (aggregates)')
    .action(async (pack: string, options: ExtractOptions) => {
      const plan = (() => {
        try {
          return planExtract({
            ...options,
            pack,
            requester: options.requester ?? process.env.USER,
          });
        } catch (error) {
          if (!(error instanceof GovernanceError)) throw error;
          throw new Error(`the extract request is refused:\n  - ${error.problems.join('\n  - ')}`);
        }
      })();
      const keyRing = options.keyFile
        ? (JSON.parse(readFileSync(options.keyFile, 'utf8')) as KeyRingDocument)
        : undefined;
      await withCliContext(async (context) => {
        const { extracts, asRequester, flush } = createCommissioningExtracts(context.sql, {
          baseUrl: context.config.http.fhirBaseUrl,
          observer: 'continuum-cli',
          clientId: 'continuum-cli-extract',
        });
        const started = Date.now();
        const progress = (step: ExtractProgress) =>
          process.stderr.write(
            `${((Date.now() - started) / 1000).toFixed(1)} s ${step.stage}` +
              `${step.resources !== undefined ? ` ${step.resources} resources read` : ''}` +
              `${step.rows !== undefined ? ` ${step.rows} rows` : ''}\n`,
          );
        const { manifest } = await asRequester(plan.request.requester, () =>
          extracts.run({ ...plan, outDirectory: options.out, keyRing }, progress),
        );
        await flush();
        process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
      });
    });
}
