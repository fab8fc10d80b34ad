import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

/**
 * The ingest app as a real OS process (so a test can SIGKILL it), run from source with ts-node. With `supervise`,
 * it is restarted when it exits on its own, as Kubernetes, systemd or compose's `restart:` would do in production.
 */
export class IngestProcess {
  private child?: ChildProcess;
  private output = '';
  private stopping = false;
  /** Exits the process made on its own (not asked for by the test), each restarted when supervised. */
  unexpectedExits = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly options: { supervise?: boolean } = {},
  ) {}

  start(): void {
    this.stopping = false;
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/ingest/src/main.ts'],
      {
        cwd: ROOT,
        env: { ...process.env, ...this.env, TS_NODE_PROJECT: 'tsconfig.json' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', () => {
      if (this.stopping || child !== this.child) return;
      this.unexpectedExits += 1;
      if (this.options.supervise) setTimeout(() => !this.stopping && this.start(), 1_000);
    });
    this.child = child;
  }

  /** The last lines the process wrote, for a failing test's message. */
  get log(): string {
    return this.output;
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    this.stopping = true;
    const child = this.child;
    // A process ended by a signal has a signalCode and no exitCode: either means there is nothing left to kill.
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolveExit) => {
      child.once('exit', (code) => resolveExit(code));
      child.kill(signal);
    });
  }
}
