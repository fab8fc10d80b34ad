import type { Command } from 'commander';
import { AuthConfig, HttpConfig, loadConfig } from '@continuum/config';
import { LocalIssuer } from '@continuum/security';
import { withCliContext } from '../cli-context';
import { pickPatient } from './launch-link.command';

interface SmartLaunchOptions {
  role: string;
  org: string;
  sub: string;
  name: string;
  patient?: string;
  pick?: boolean;
  portal: string;
  client: string;
}

/**
 * `smart-launch --role gp --pick`: what an EHR does for a SMART EHR launch of the portal: with its system token (from
 * the local development issuer) it registers the launch context with the API (`POST /auth/launch`), then prints the
 * portal's `/launch/smart?iss=&launch=` address to open in a browser (the launch works once, for a few minutes).
 */
export function registerSmartLaunch(program: Command): void {
  program
    .command('smart-launch')
    .description(
      'Register a SMART EHR launch with the API, as an EHR would, and print the portal launch address',
    )
    .requiredOption('-r, --role <role>', 'gp, acute, community, mental-health, social-care or urgent-care')
    .option(
      '-o, --org <odsCode>',
      "the user's organisation (ODS code; with --pick, `auto`: the source holding the patient)",
      'auto',
    )
    .option('--sub <subject>', 'the user', 'demo-clinician')
    .option('--name <name>', "the user's name as shown in the portal", 'Dr Demo Clinician')
    .option('--patient <id>', 'the Patient id in context')
    .option('--pick', 'launch for a stored patient with an NHS number')
    .option('--portal <url>', 'the portal address', 'http://127.0.0.1:8090')
    .option('--client <id>', "the EHR's client id (in its system token)", 'demo-ehr')
    .action(async (options: SmartLaunchOptions) => {
      const auth = loadConfig(AuthConfig);
      const fhirBase = loadConfig(HttpConfig).fhirBaseUrl.replace(/\/$/, '');
      const picked = options.pick ? await withCliContext((context) => pickPatient(context.sql)) : undefined;
      const patient = options.patient ?? picked?.id;
      if (!patient) throw new Error('Name the patient (--patient <id>) or --pick one');
      const token = await new LocalIssuer(auth.keysDir, auth.issuer, auth.audience).sign({
        scope: 'system/Patient.rs',
        clientId: options.client,
        subject: options.client,
        purposeOfUse: 'TREAT',
        ttl: '2m',
      });
      const response = await fetch(`${new URL(fhirBase).origin}/auth/launch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          user: options.sub,
          name: options.name,
          role: options.role,
          organisation: options.org === 'auto' ? (picked?.sourceOds ?? 'RR8') : options.org,
          patient,
        }),
      });
      const body = (await response.json().catch(() => ({}))) as { launch?: string };
      if (response.status !== 201 || !body.launch)
        throw new Error(`The API refused the launch (${response.status}): ${JSON.stringify(body)}`);
      const url = new URL('/launch/smart', options.portal);
      url.searchParams.set('iss', fhirBase);
      url.searchParams.set('launch', body.launch);
      process.stdout.write(`${url.toString()}\n`);
    });
}
