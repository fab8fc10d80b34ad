import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { testTokens } from '@continuum/security/testing/test-tokens';
import type { SuiteContext } from '../suite';

/** An API process of a bench run's own, over the run's database. */
export interface ApiProcess {
  /** `http://127.0.0.1:<port>` (the FHIR base is `${origin}/fhir`). */
  origin: string;
  /** `Bearer <token>` of a direct-care system client with every scope. */
  authorization: string;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts `apps/api` (of this checkout, or of `--api-root <checkout>`) on a free port over `databaseUrl`, with a
 * local token issuer and the rate limit lifted (or it would be what is measured); resolves once it is live.
 */
export async function startApiProcess(ctx: SuiteContext, databaseUrl: string): Promise<ApiProcess> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const root = resolve(ctx.options.extra['api-root'] ?? resolve(__dirname, '../..'));
  const tokens = testTokens();
  const authorization = `Bearer ${await tokens.issue({ scope: 'system/*.cruds', clientId: 'bench', purposeOfUse: 'TREAT' })}`;
  // `--api-cpu-prof <dir>`: every API process (the primary and, through cluster's execArgv, each worker) writes a
  // CPU profile there when it stops (Node refuses --cpu-prof in NODE_OPTIONS, so it has to be an argument)
  const profileDir = ctx.options.extra['api-cpu-prof'];
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`] : [];
  const api: ChildProcess = spawn(
    process.execPath,
    [
      ...profiling,
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'apps/api/src/main.ts',
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        ...tokens.env,
        RATE_LIMIT_SYSTEM_PER_MINUTE: '100000000',
        RATE_LIMIT_SYSTEM_BURST: '1000000',
        DATABASE_URL: databaseUrl,
        API_PORT: String(port),
        FHIR_BASE_URL: `${origin}/fhir`,
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (api.pid) ctx.memory.watch('api', api.pid, { children: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const live = await fetch(`${origin}/health/live`).catch(() => undefined);
    if (live?.ok) return { origin, authorization, stop: () => api.kill('SIGTERM') };
    if (Date.now() > deadline || api.exitCode !== null) {
      api.kill('SIGTERM');
      throw new Error('the API did not start');
    }
    await new Promise((done) => setTimeout(done, 500));
  }
}
