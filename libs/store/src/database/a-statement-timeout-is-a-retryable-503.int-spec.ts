import { FhirError, parseSearchRequest } from '@continuum/fhir';
import { TEST_DATABASE_URL } from '@continuum/testing';
import type postgres from 'postgres';
import { createFhirStore } from '../fhir-store.factory';
import { createSql } from './sql.factory';

/**
 * Issue #14, gap 4: a read or search that outlasts the statement timeout is a FhirError 503 with a retry hint (the
 * API answers it as an OperationOutcome with Retry-After), never an unknown error and a 500. A statement is made to
 * outlast a short timeout by holding a lock it needs: the consent directives a restricted search reads.
 */
describe('a statement timeout is a retryable 503, not an unknown error', () => {
  let sql: postgres.Sql;
  let locker: postgres.Sql;

  beforeAll(() => {
    const config = {
      url: TEST_DATABASE_URL,
      poolSize: 2,
      statementTimeoutMs: 300,
      idleInTransactionTimeoutMs: 60_000,
    };
    sql = createSql(config, { applicationName: 'timeout-test' });
    locker = createSql({ ...config, statementTimeoutMs: 30_000 }, { applicationName: 'timeout-test-lock' });
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await locker.end({ timeout: 5 });
  });

  it('maps query_canceled (57014) on a search to FhirError 503 with Retry-After', async () => {
    const store = createFhirStore(sql);
    const request = parseSearchRequest('Observation', [['code', 'urn:timeout|x']]);
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = () => undefined as void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = locker.begin(async (tx) => {
      await tx`LOCK TABLE consent_directive IN ACCESS EXCLUSIVE MODE`;
      locked();
      await released;
    });
    await isLocked;
    const failure = await store
      .search(request, { consent: { at: new Date(), hiding: [{ kind: 'data-opt-out' }] } })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    release();
    await holder;
    expect(failure).toBeInstanceOf(FhirError);
    const error = failure as FhirError;
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.outcome.issue[0]).toMatchObject({ severity: 'error', code: 'timeout' });
    // once the lock is gone the same search answers
    await expect(store.search(request, { consent: { at: new Date(), hiding: [] } })).resolves.toBeDefined();
  });
});
