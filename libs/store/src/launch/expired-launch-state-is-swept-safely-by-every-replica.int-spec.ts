import { randomUUID } from 'node:crypto';
import type { Logger } from '@continuum/observability';
import { TEST_DATABASE_URL } from '@continuum/testing';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../database/data-source';
import { LaunchStateSweeper } from './launch-state.sweeper';
import { SmartLaunches } from './smart-launches.repository';
import { LAUNCH_ENTITIES } from './used-launch-token.entity';
import { UsedLaunchTokens } from './used-launch-tokens.repository';

/** The sweep of used launch tokens and SMART launches and codes against the real (migrated) continuum_test. */
describe('expired launch state is swept, safely by every replica at once', () => {
  let dataSource: DataSource;
  let tokens: UsedLaunchTokens;
  let launches: SmartLaunches;
  const SUBJECT = `sweep-${randomUUID()}`;
  const REGISTERED_BY = `ehr-sweep-${randomUUID()}`;
  const GRACE_MS = 120_000;
  const NOW = new Date();
  const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
  const silent = { info: () => undefined, warn: () => undefined } as unknown as Logger;
  const sweeper = (everyMs = 60_000) =>
    new LaunchStateSweeper(tokens, launches, { graceMs: GRACE_MS, everyMs }, silent);

  const jtisLeft = async () =>
    (
      (await dataSource.query(`SELECT jti FROM portal_used_launch_token WHERE subject = $1 ORDER BY jti`, [
        SUBJECT,
      ])) as { jti: string }[]
    ).map((row) => row.jti);
  const launchesLeft = async () =>
    (
      (await dataSource.query(
        `SELECT launch_id FROM smart_launch WHERE registered_by = $1 ORDER BY launch_id`,
        [REGISTERED_BY],
      )) as { launch_id: string }[]
    ).map((row) => row.launch_id);
  const codesLeft = async () =>
    (
      (await dataSource.query(
        `SELECT code.code_hash FROM smart_authorization_code code
         JOIN smart_launch launch USING (launch_id) WHERE launch.registered_by = $1 ORDER BY code.code_hash`,
        [REGISTERED_BY],
      )) as { code_hash: string }[]
    ).map((row) => row.code_hash);

  const claim = (jti: string, expiresAt: Date) => tokens.claim({ jti, subject: SUBJECT, expiresAt }, at(-600));
  const register = (launchId: string, expiresAt: Date) =>
    launches.register(
      launchId,
      {
        registeredBy: REGISTERED_BY,
        subject: SUBJECT,
        portalRole: 'gp',
        organisation: 'A81001',
        patientId: 'p-sweep',
      },
      expiresAt,
      at(-900),
    );
  const issue = (codeHash: string, launchId: string, expiresAt: Date) =>
    launches.issueCode(
      {
        codeHash,
        launchId,
        clientId: 'portal',
        redirectUri: 'http://x/cb',
        codeChallenge: 'c',
        scope: 'launch patient/*.rs',
        expiresAt,
      },
      at(-900),
    );

  beforeAll(async () => {
    dataSource = new DataSource({
      ...typeOrmOptions({
        url: TEST_DATABASE_URL,
        poolSize: 8,
        statementTimeoutMs: 30_000,
        idleInTransactionTimeoutMs: 60_000,
      }),
      entities: LAUNCH_ENTITIES,
      migrations: [],
    });
    await dataSource.initialize();
    tokens = new UsedLaunchTokens(dataSource);
    launches = new SmartLaunches(dataSource);
  });
  afterAll(async () => {
    await dataSource?.query(`DELETE FROM portal_used_launch_token WHERE subject = $1`, [SUBJECT]);
    await dataSource?.query(`DELETE FROM smart_launch WHERE registered_by = $1`, [REGISTERED_BY]);
    await dataSource?.destroy();
  });

  it('keeps a used jti until its token expired more than the grace ago, so a replay is refused until then', async () => {
    await claim('a-long-gone', at(-600));
    await claim('b-within-grace', at(-60)); // expired, but within the verifier's clock skew it could still be accepted
    await claim('c-live', at(240));
    const swept = await sweeper().sweep(NOW);
    expect(swept.usedLaunchTokens).toBeGreaterThanOrEqual(1);
    expect(await jtisLeft()).toEqual(['b-within-grace', 'c-live']);
    // the kept rows still refuse a replay
    expect(await claim('b-within-grace', at(-60))).toBe(false);
    expect(await claim('c-live', at(240))).toBe(false);
  });

  it('sweeps expired codes, and expired launches unless a code issued from them is still live', async () => {
    const [gone, kept, live] = ['launch-gone', 'launch-with-live-code', 'launch-live'].map(
      (name) => `${name}-${randomUUID()}`,
    );
    await register(gone, at(-600));
    await issue(`code-gone-${gone}`, gone, at(-540));
    await register(kept, at(-600));
    await issue(`code-live-${kept}`, kept, at(30));
    await register(live, at(200));
    await sweeper().sweep(NOW);
    expect(await launchesLeft()).toEqual([kept, live].sort());
    expect(await codesLeft()).toEqual([`code-live-${kept}`]);
    // the live code is still redeemable with its context
    await expect(launches.redeemCode(`code-live-${kept}`, NOW)).resolves.toMatchObject({ ok: true });
  });

  it('eight replicas sweeping at once delete each row once and none fails', async () => {
    const jtis = Array.from({ length: 50 }, (_, index) => `race-${index}-${randomUUID()}`);
    for (const jti of jtis) await claim(jti, at(-900));
    const results = await Promise.all(Array.from({ length: 8 }, () => sweeper().sweep(NOW)));
    expect(await jtisLeft()).not.toEqual(expect.arrayContaining([jtis[0]]));
    const deleted = results.reduce((sum, result) => sum + result.usedLaunchTokens, 0);
    // other suites may share the table: at least ours, and each of ours counted exactly once across the replicas
    expect(deleted).toBeGreaterThanOrEqual(jtis.length);
    const remaining = (await dataSource.query(
      `SELECT count(*)::int AS n FROM portal_used_launch_token WHERE jti = ANY($1)`,
      [jtis],
    )) as { n: number }[];
    expect(remaining[0].n).toBe(0);
  });

  it('on a schedule: sweeps after a jittered wait, keeps no process alive, and stops cleanly', async () => {
    await claim(`scheduled-${randomUUID()}`, at(-900));
    const scheduled = sweeper(50);
    scheduled.start();
    const deadline = Date.now() + 5_000;
    while ((await jtisLeft()).some((jti) => jti.startsWith('scheduled-')) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    await scheduled.stop();
    expect((await jtisLeft()).filter((jti) => jti.startsWith('scheduled-'))).toEqual([]);
    // after stop nothing runs: a row that expired now stays
    await claim(`after-stop-${randomUUID()}`, at(-900));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await jtisLeft()).filter((jti) => jti.startsWith('after-stop-'))).toHaveLength(1);
  });

  it('each wait is drawn within ±20 % of the interval', () => {
    const draws = [0, 0.5, 0.999].map((value) =>
      new LaunchStateSweeper(tokens, launches, { graceMs: 0, everyMs: 1000 }, silent, () => value).nextDelayMs(),
    );
    expect(draws).toEqual([800, 1000, 1200]);
  });
});
