import { ConfigError } from '@continuum/config';

/**
 * Runs an app's start-up and turns a failure into one readable message and a non-zero exit, instead of a stack
 * trace or a hung process: a bad setting names the setting; a dependency that cannot be reached says which.
 */
export function runMain(app: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const cause = findConfigError(error);
    const message = cause ? cause.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`${app} failed to start: ${message}\n`);
    process.exit(1);
  });
}

function findConfigError(error: unknown): ConfigError | undefined {
  for (
    let current = error;
    current instanceof Error;
    current = (current as Error & { cause?: unknown }).cause
  ) {
    if (current instanceof ConfigError) return current;
  }
  return undefined;
}
