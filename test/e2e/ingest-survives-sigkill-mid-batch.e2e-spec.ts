import { waitFor } from '@continuum/testing';
import { IngestProcess } from './support/ingest-process';
import { IngestScenario } from './support/ingest-scenario';

const MESSAGES = 1500;

describe('ingest killed with SIGKILL in the middle of a large batch', () => {
  const scenario = new IngestScenario();
  const ingest = new IngestProcess(scenario.env);

  beforeAll(() => scenario.createTopics());
  afterAll(async () => {
    await ingest.kill('SIGKILL');
    await scenario.close();
  });

  it('stores exactly what was published after a restart: nothing lost, nothing twice', async () => {
    await scenario.publishPatients(MESSAGES);
    ingest.start();

    // Kill it while it is part-way through: some messages stored, most not. The app boots one consumer process per
    // core from source (ts-node), so the waits allow for a loaded machine.
    await waitFor(
      () => scenario.ledgerCount(),
      (n) => n >= 100,
      { timeoutMs: 180_000, what: `first stored messages; log: ${ingest.log.slice(-2000)}` },
    );
    await ingest.kill('SIGKILL');
    const atKill = await scenario.ledgerCount();
    expect(atKill).toBeLessThan(MESSAGES);

    ingest.start();
    await waitFor(
      () => scenario.ledgerCount(),
      (n) => n === MESSAGES,
      { timeoutMs: 240_000, what: 'every message stored after the restart' },
    );
    await ingest.kill('SIGTERM');

    expect(await scenario.storedCount('Patient')).toBe(MESSAGES);
    expect(await scenario.storedCount('Provenance')).toBe(MESSAGES);
    // Messages re-read after the kill (committed to Postgres, offsets not yet to Kafka) changed nothing.
    expect(await scenario.versionsAbove('Patient', 1)).toBe(0);
    expect(await scenario.versionsAbove('Provenance', 1)).toBe(0);
  }, 480_000);
});
