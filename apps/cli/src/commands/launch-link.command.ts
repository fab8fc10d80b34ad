import type { Command } from 'commander';
import { AuthConfig, loadConfig } from '@continuum/config';
import { IdentifierSystem } from '@continuum/fhir';
import { LocalIssuer } from '@continuum/security';
import type { Patient } from 'fhir/r4';
import type postgres from 'postgres';
import { withCliContext } from '../cli-context';

interface LaunchLinkOptions {
  role: string;
  org: string;
  sub: string;
  name?: string;
  nhsNumber?: string;
  birthDate?: string;
  pick?: boolean;
  portal: string;
  audience: string;
  ttl: string;
}

/**
 * `launch-link --role urgent-care [--nhs-number N --birth-date YYYY-MM-DD | --pick]`: a signed-token URL launch of the
 * portal from the local development issuer, as a clinical system would make one. `--pick` takes a stored patient
 * that has an NHS number (the demo community's first).
 */
export function registerLaunchLink(program: Command): void {
  program
    .command('launch-link')
    .description(
      'Print a portal launch link signed by the local development issuer (single-use, short-lived)',
    )
    .requiredOption(
      '-r, --role <role>',
      'gp, acute, community, mental-health, social-care, urgent-care or privacy-officer (no patient)',
    )
    .option(
      '-o, --org <odsCode>',
      "the user's organisation (ODS code; with --pick, `auto`: the source that holds the patient)",
      'RR8',
    )
    .option('--sub <subject>', 'the user', 'demo-clinician')
    .option('--name <name>', "the user's name as shown in the portal", 'Dr Demo Clinician')
    .option('--nhs-number <number>', 'the patient in context')
    .option('--birth-date <date>', "the patient's birth date (needed with --nhs-number)")
    .option('--pick', 'launch for a stored patient with an NHS number')
    .option('--portal <url>', 'the portal address', 'http://127.0.0.1:8090')
    .option('--audience <aud>', "the portal's launch audience", 'continuum-portal')
    .option('--ttl <duration>', 'lifetime, e.g. 5m', '5m')
    .action(async (options: LaunchLinkOptions) => {
      const auth = loadConfig(AuthConfig);
      const patient = options.pick ? await withCliContext((context) => pickPatient(context.sql)) : undefined;
      const token = await new LocalIssuer(auth.keysDir, auth.issuer, options.audience).signLaunch({
        subject: options.sub,
        name: options.name,
        role: options.role,
        organisation: options.org === 'auto' ? (patient?.sourceOds ?? 'RR8') : options.org,
        nhsNumber: patient?.nhsNumber ?? options.nhsNumber,
        birthDate: patient?.birthDate ?? options.birthDate,
        ttl: options.ttl,
      });
      process.stdout.write(`${options.portal.replace(/\/$/, '')}/launch?token=${token}\n`);
    });
}

/** A stored patient with an NHS number and birth date (the demo community's first), for a launch in context. */
export async function pickPatient(
  sql: postgres.Sql,
): Promise<{ id: string; nhsNumber: string; birthDate: string; sourceOds?: string }> {
  const rows = await sql<{ content: Patient }[]>`
    SELECT content FROM resource
    WHERE resource_type = 'Patient' AND NOT deleted AND content ? 'birthDate'
      AND content->'identifier' @> ${sql.json([{ system: IdentifierSystem.nhsNumber }])}
    ORDER BY id LIMIT 1`;
  const patient = rows[0]?.content;
  const nhsNumber = patient?.identifier?.find((id) => id.system === IdentifierSystem.nhsNumber)?.value;
  if (!patient?.birthDate || !nhsNumber)
    throw new Error('No stored patient has an NHS number and a birth date: load data first');
  return {
    id: patient.id!,
    nhsNumber,
    birthDate: patient.birthDate,
    sourceOds: patient.meta?.source?.split(':')[0] || undefined,
  };
}
