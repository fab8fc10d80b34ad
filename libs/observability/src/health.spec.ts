import { checkHealth, optionalHealthCheck } from './health';

describe('checkHealth', () => {
  it('reports each component separately and is down when any is down', async () => {
    const report = await checkHealth([
      { name: 'postgres', check: async () => undefined },
      {
        name: 'kafka',
        check: async () => {
          throw new Error('connection refused');
        },
      },
    ]);
    expect(report.status).toBe('down');
    expect(report.components.postgres.status).toBe('up');
    expect(report.components.kafka).toMatchObject({ status: 'down', error: 'connection refused' });
  });

  it('reports an optional dependency that fails as degraded, and the whole as degraded rather than down', async () => {
    const failing = { name: 'elasticsearch', check: () => Promise.reject(new Error('connection refused')) };
    const report = await checkHealth([
      { name: 'postgres', check: async () => undefined },
      optionalHealthCheck(failing),
    ]);
    expect(report.status).toBe('degraded');
    expect(report.components.elasticsearch).toMatchObject({
      status: 'degraded',
      error: 'connection refused',
    });
    expect((await checkHealth([optionalHealthCheck(failing), failing])).status).toBe('down');
  });

  it('bounds a check that hangs', async () => {
    const report = await checkHealth(
      [{ name: 'elasticsearch', check: () => new Promise(() => undefined) }],
      50,
    );
    expect(report.components.elasticsearch).toMatchObject({ status: 'down' });
    expect(report.components.elasticsearch.error).toMatch(/did not answer within 50 ms/);
  });
});
