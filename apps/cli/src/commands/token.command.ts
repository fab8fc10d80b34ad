import type { Command } from 'commander';
import { AuthConfig, loadConfig } from '@continuum/config';
import { LocalIssuer } from '@continuum/security';

interface TokenOptions {
  scope: string;
  patient?: string;
  role?: string;
  org?: string;
  purpose?: string;
  sub?: string;
  client?: string;
  ttl: string;
}

/** `token --scope "<scopes>" [--patient <id>] [--role <role>] [--ttl 1h]`: a token from the local issuer. */
export function registerToken(program: Command): void {
  program
    .command('token')
    .description('Print an access token signed by the local development issuer (keys made on first use)')
    .requiredOption('-s, --scope <scopes>', 'SMART scopes, e.g. "user/*.cruds" or "patient/*.rs"')
    .option('-p, --patient <id>', 'the patient a patient/ token is confined to')
    .option('-r, --role <role>', 'clinician, auditor, analyst or identity-admin (needed by user/ scopes)')
    .option('-o, --org <odsCode>', "the caller's organisation (ODS code)")
    .option('--purpose <code>', 'purpose of use (TREAT, HOPERAT, HRESCH, PUBHLTH ...)')
    .option('--sub <subject>', 'the subject (user) the token names', 'local-developer')
    .option('--client <clientId>', 'the client id', 'continuum-cli')
    .option('--ttl <duration>', 'lifetime, e.g. 15m, 1h', '1h')
    .action(async (options: TokenOptions) => {
      // only the auth settings: a token needs neither the database nor Kafka
      const auth = loadConfig(AuthConfig);
      const issuer = new LocalIssuer(auth.keysDir, auth.issuer, auth.audience);
      const token = await issuer.sign({
        scope: options.scope,
        patient: options.patient,
        role: options.role,
        organisation: options.org,
        purposeOfUse: options.purpose,
        subject: options.sub,
        clientId: options.client,
        ttl: options.ttl,
      });
      process.stdout.write(`${token}\n`);
    });
}
