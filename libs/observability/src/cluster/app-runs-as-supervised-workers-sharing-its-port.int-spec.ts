import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { waitFor } from '@continuum/testing';

const ROOT = resolve(__dirname, '../../../..');
const FIXTURE = 'libs/observability/src/cluster/testing/clustered-http.fixture.ts';

async function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

class ClusteredFixture {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output = '';
  private readonly child: ChildProcess;

  constructor(
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', FIXTURE],
      {
        cwd: ROOT,
        env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json', FIXTURE_PORT: String(port), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-10_000));
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((done) => this.child.once('exit', (code, signal) => done({ code, signal })));
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async get(path = '/'): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      signal: AbortSignal.timeout(5_000),
    });
    return response.text();
  }

  /** The worker pids that answer, over enough requests to reach each of them (round-robin). */
  async workerPids(requests = 12): Promise<Set<number>> {
    const pids = new Set<number>();
    for (let i = 0; i < requests; i += 1) pids.add(Number(await this.get()));
    return pids;
  }

  async started(workers: number): Promise<Set<number>> {
    return waitFor(
      () => this.workerPids().catch(() => new Set<number>()),
      (pids) => pids.size === workers,
      { timeoutMs: 60_000, what: `${workers} workers answering; output: ${this.output}` },
    );
  }
}

describe('an app run as supervised workers sharing its port (Node cluster)', () => {
  const running: ClusteredFixture[] = [];
  const start = async (env: Record<string, string>) => {
    const fixture = new ClusteredFixture(await freePort(), env);
    running.push(fixture);
    return fixture;
  };
  afterAll(() => running.forEach((fixture) => fixture.kill('SIGKILL')));

  it('serves from every worker on one port and shows one aggregated /metrics', async () => {
    const app = await start({ FIXTURE_WORKERS: '2' });
    const pids = await app.started(2);
    expect(pids.size).toBe(2);

    const served = 20;
    for (let i = 0; i < served; i += 1) await app.get();
    const metrics = await app.get('/metrics');
    // every request answered so far, whichever worker served it (the pid probes included)
    const total = Number(/^fixture_requests_total\{app="fixture"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(total).toBeGreaterThanOrEqual(served + 2);

    app.kill('SIGTERM');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect([...pids].filter(isAlive)).toEqual([]);
  }, 90_000);

  it('restarts a worker that dies, and the app keeps serving', async () => {
    const app = await start({ FIXTURE_WORKERS: '2' });
    const [victim] = await app.started(2);
    process.kill(victim, 'SIGKILL');

    const after = await waitFor(
      () => app.workerPids().catch(() => new Set<number>()),
      (pids) => pids.size === 2 && !pids.has(victim),
      { timeoutMs: 60_000, what: `a replacement worker; output: ${app.output}` },
    );
    expect(after.has(victim)).toBe(false);
    app.kill('SIGTERM');
    await app.exited;
  }, 180_000);

  it('takes its workers down with it when the primary is killed with SIGKILL', async () => {
    const app = await start({ FIXTURE_WORKERS: '2' });
    const pids = await app.started(2);
    app.kill('SIGKILL');
    await app.exited;
    await waitFor(
      async () => [...pids].filter(isAlive),
      (alive) => alive.length === 0,
      { timeoutMs: 15_000, what: 'orphaned workers to exit' },
    );
  }, 90_000);

  it('stops with exit 1 when the workers fail at start, as one process would', async () => {
    const app = await start({ FIXTURE_WORKERS: '2', FIXTURE_FAIL_AT_START: '1' });
    const exit = await app.exited;
    expect(exit.code).toBe(1);
    expect(app.output).toContain('fixture failed to start: database unreachable');
  }, 60_000);

  it('runs in the process itself with one worker', async () => {
    const app = await start({ FIXTURE_WORKERS: '1' });
    const [pid] = await app.started(1);
    expect(pid).toBe((app as unknown as { child: ChildProcess }).child.pid);
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
  }, 60_000);
});
