import { randomUUID } from 'node:crypto';
import { TEST_DATABASE_URL } from '@continuum/testing';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../database/data-source';
import { LAUNCH_ENTITIES } from './used-launch-token.entity';
import { type SmartLaunchContext, SmartLaunches } from './smart-launches.repository';

/** The SMART authorization server's state against the real (migrated) continuum_test database. */
describe('SMART launches and authorization codes', () => {
  let dataSource: DataSource;
  let launches: SmartLaunches;
  const context: SmartLaunchContext = {
    registeredBy: 'ehr-int',
    subject: 'dr-int',
    userName: 'Dr Int',
    portalRole: 'urgent-care',
    organisation: 'A81001',
    patientId: `p-${randomUUID()}`,
  };
  const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

  beforeAll(async () => {
    dataSource = new DataSource({
      ...typeOrmOptions({
        url: TEST_DATABASE_URL,
        poolSize: 4,
        statementTimeoutMs: 30_000,
        idleInTransactionTimeoutMs: 60_000,
      }),
      entities: LAUNCH_ENTITIES,
      migrations: [],
    });
    await dataSource.initialize();
    launches = new SmartLaunches(dataSource);
  });
  afterAll(async () => {
    await dataSource?.query(`DELETE FROM smart_launch WHERE registered_by = 'ehr-int'`);
    await dataSource?.destroy();
  });

  it('a launch is redeemed once: its context the first time, "used" after, "unknown" for a made-up id', async () => {
    const id = randomUUID();
    await launches.register(id, context, inSeconds(60));
    await expect(launches.redeemLaunch(id)).resolves.toEqual({ ok: true, value: context });
    await expect(launches.redeemLaunch(id)).resolves.toEqual({ ok: false, refusal: 'used' });
    await expect(launches.redeemLaunch(randomUUID())).resolves.toEqual({ ok: false, refusal: 'unknown' });
  });

  it('an expired launch is refused as expired', async () => {
    const id = randomUUID();
    await launches.register(id, context, inSeconds(-1), inSeconds(-300));
    await expect(launches.redeemLaunch(id)).resolves.toEqual({ ok: false, refusal: 'expired' });
  });

  it('ten concurrent redemptions of one launch: exactly one wins', async () => {
    const id = randomUUID();
    await launches.register(id, context, inSeconds(60));
    const results = await Promise.all(Array.from({ length: 10 }, () => launches.redeemLaunch(id)));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
  });

  it('a code is redeemed once with its binding (client, redirect URI, challenge, scope) and launch context', async () => {
    const launchId = randomUUID();
    await launches.register(launchId, context, inSeconds(60));
    const grant = {
      codeHash: randomUUID(),
      launchId,
      clientId: 'portal',
      redirectUri: 'http://127.0.0.1:8090/launch/smart/callback',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      scope: 'launch patient/*.rs',
      expiresAt: inSeconds(60),
    };
    await launches.issueCode(grant);
    const results = await Promise.all([
      launches.redeemCode(grant.codeHash),
      launches.redeemCode(grant.codeHash),
    ]);
    const won = results.find((result) => result.ok);
    expect(won).toMatchObject({ ok: true, value: { ...grant, expiresAt: expect.any(Date), context } });
    expect(results.filter((result) => !result.ok)).toEqual([{ ok: false, refusal: 'used' }]);
  });

  it('an expired code is refused as expired, and expired launches are forgotten with their codes', async () => {
    const launchId = randomUUID();
    await launches.register(launchId, context, inSeconds(-1), inSeconds(-120));
    const codeHash = randomUUID();
    await launches.issueCode(
      {
        codeHash,
        launchId,
        clientId: 'portal',
        redirectUri: 'http://x/cb',
        codeChallenge: 'c',
        scope: 'launch patient/*.rs',
        expiresAt: inSeconds(-1),
      },
      inSeconds(-61),
    );
    await expect(launches.redeemCode(codeHash)).resolves.toEqual({ ok: false, refusal: 'expired' });
    expect(await launches.forgetExpired(new Date())).toBeGreaterThanOrEqual(1);
    await expect(launches.redeemCode(codeHash)).resolves.toEqual({ ok: false, refusal: 'unknown' });
  });
});
