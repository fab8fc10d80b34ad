/**
 * Micro-benchmark of bearer-token verification per request (libs/security/src/jwt): an ES256 token from the local
 * test issuer verified afresh each time (signature, claims) against a cache hit (SHA-256 of the token and a map
 * look-up), as the API's JwtVerifier does for a client's every request after its first. No infrastructure.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/token-verify.micro.ts [requests]
 *
 * Prints wall-clock and CPU time per verification: on a shared machine the CPU figure is the one to compare.
 */
import { AuthConfig, loadConfig } from '@continuum/config';
import { JwtVerifier } from '@continuum/security';
import { testTokens } from '@continuum/security/testing/test-tokens';

async function measure(label: string, count: number, run: () => Promise<unknown>): Promise<void> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await run();
  const wallUs = Number(process.hrtime.bigint() - started) / 1e3;
  const used = process.cpuUsage(cpu);
  const each = (us: number) => (us / count).toFixed(1).padStart(8);
  process.stdout.write(
    `${label.padEnd(36)} ${each(wallUs)} µs wall  ${each(used.user + used.system)} µs CPU each\n`,
  );
}

async function main(count: number): Promise<void> {
  const tokens = testTokens();
  const config = loadConfig(AuthConfig, { ...process.env, ...tokens.env });
  const token = await tokens.issue({ scope: 'system/*.rs', clientId: 'bench', purposeOfUse: 'TREAT' });
  const verifier = new JwtVerifier(config);
  await verifier.verify(token); // keys loaded, and the token cached
  // distinct tokens (one client id each: tokens of one second would otherwise be identical), so each is a miss
  const fresh = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      tokens.issue({ scope: 'system/*.rs', clientId: `bench-${i}`, purposeOfUse: 'TREAT' }),
    ),
  );
  if (new Set(fresh).size !== count) throw new Error('the fresh tokens are not distinct');
  let next = 0;
  await measure('verify afresh (ES256, cache miss)', count, () => verifier.verify(fresh[next++]));
  await measure('verify a token seen before (hit)', count, () => verifier.verify(token));
}

void main(Number(process.argv[2] ?? 2_000));
