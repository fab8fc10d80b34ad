import { checkHealth } from './health';

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

  it('bounds a check that hangs', async () => {
    const report = await checkHealth(
      [{ name: 'elasticsearch', check: () => new Promise(() => undefined) }],
      50,
    );
    expect(report.components.elasticsearch).toMatchObject({ status: 'down' });
    expect(report.components.elasticsearch.error).toMatch(/did not answer within 50 ms/);
  });
});
