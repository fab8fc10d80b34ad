import type { Command } from 'commander';
import { AuditChainVerifier } from '@continuum/store';
import { withCliContext } from '../cli-context';

/** `audit:verify`: walks the audit hash chain; exit 1 and the first broken link when it was tampered with. */
export function registerAuditVerify(program: Command): void {
  program
    .command('audit:verify')
    .description('Verify the audit trail hash chain and report the first broken link')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      await withCliContext(async (context) => {
        const report = await new AuditChainVerifier().verify(context.sql);
        process.stdout.write(
          options.json
            ? `${JSON.stringify(report)}\n`
            : report.broken
              ? `audit chain BROKEN at seq ${report.broken.seq}: ${report.broken.reason} (${report.checked} rows verified before it)\n`
              : `audit chain intact: ${report.checked} rows verified\n`,
        );
        if (report.broken) process.exitCode = 1;
      });
    });
}
