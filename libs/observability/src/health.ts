/** Readiness of one dependency (Postgres, Kafka, Elasticsearch), checked with a bounded wait. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface ComponentHealth {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'up' | 'down';
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
          { status: 'down', latencyMs: Math.round(performance.now() - started), error: message },
        ];
      }
    }),
  );
  const components = Object.fromEntries(entries);
  const status = entries.every(([, component]) => component.status === 'up') ? 'up' : 'down';
  return { status, components };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
