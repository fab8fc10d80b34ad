/** Readiness of one dependency (Postgres, Kafka, Elasticsearch), checked with a bounded wait. */
export interface HealthCheck {
  readonly name: string;
  /**
   * A dependency some features need and the app serves without (the API's Elasticsearch for PDQm): failing, it is
   * `degraded`, and so is the app, which stays ready (200) rather than being taken out of service.
   */
  readonly optional?: boolean;
  check(): Promise<void>;
}

/** The same check, reported as degraded rather than down when it fails. */
export function optionalHealthCheck(check: HealthCheck): HealthCheck {
  return { name: check.name, optional: true, check: () => check.check() };
}

export interface ComponentHealth {
  status: 'up' | 'degraded' | 'down';
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  /** down: a required dependency failed (not ready); degraded: only optional ones did (ready, some features off). */
  status: 'up' | 'degraded' | 'down';
  components: Record<string, ComponentHealth>;
}

export async function checkHealth(checks: readonly HealthCheck[], timeoutMs = 3000): Promise<HealthReport> {
  const entries = await Promise.all(
    checks.map(async (check): Promise<[string, ComponentHealth]> => {
      const started = performance.now();
      try {
        await withTimeout(check.check(), timeoutMs, `${check.name} did not answer within ${timeoutMs} ms`);
        return [check.name, { status: 'up', latencyMs: Math.round(performance.now() - started) }];
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return [
          check.name,
          {
            status: check.optional ? 'degraded' : 'down',
            latencyMs: Math.round(performance.now() - started),
            error: message,
          },
        ];
      }
    }),
  );
  const components = Object.fromEntries(entries);
  const statuses = entries.map(([, component]) => component.status);
  const status = statuses.includes('down') ? 'down' : statuses.includes('degraded') ? 'degraded' : 'up';
  return { status, components };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
