import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

/** The ingest app as a real OS process (so a test can SIGKILL it), run from source with ts-node. */
export class IngestProcess {
  private child?: ChildProcess;
  private output = '';

  constructor(private readonly env: Record<string, string>) {}

  start(): void {
    this.output = '';
    this.child = spawn(
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
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
  }

  /** The last lines the process wrote, for a failing test's message. */
  get log(): string {
    return this.output;
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
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
