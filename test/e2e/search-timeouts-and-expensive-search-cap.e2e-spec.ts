import { testTokens } from '@continuum/security/testing/test-tokens';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type { Bundle, OperationOutcome } from 'fhir/r4';
import postgres from 'postgres';
import { startApi, type RunningApi } from './support/api-app';
import { fhirHttp } from './support/fhir-http';

/**
 * Issue #14, gap 4: a statement timeout is an OperationOutcome (503, Retry-After), never a 500 that leaves the client
 * guessing; and one caller cannot run more than its share of expensive searches at once (429, Retry-After).
 * A statement is made to outlast the API's timeout by holding a lock its search needs: the consent directives a
 * clinician's search reads.
 */
describe('search: a statement timeout answers 503, and expensive searches are capped per caller', () => {
  const tokens = testTokens();
  let api: RunningApi;
  let sql: postgres.Sql;
  let raw: ReturnType<typeof fhirHttp>;
  let clinician: string;
  let system: string;
  const code = `timeout-${uniqueSuffix()}`;

  const search = (query: string, token: string) =>
    raw<Bundle | OperationOutcome>('GET', `Observation?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
  /** Runs `during` while the consent directives are locked against every reader. */
  const whileLocked = async <T>(during: () => Promise<T>): Promise<T> => {
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = () => undefined as void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = sql.begin(async (tx) => {
      await tx`LOCK TABLE consent_directive IN ACCESS EXCLUSIVE MODE`;
      locked();
      await released;
    });
    await isLocked;
    try {
      return await during();
    } finally {
      release();
      await holder;
    }
  };

  beforeAll(async () => {
    Object.assign(process.env, tokens.env, {
      DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      SEARCH_EXPENSIVE_CONCURRENCY_PER_CALLER: '1',
    });
    api = await startApi();
    raw = fhirHttp(api.base);
    sql = postgres(TEST_DATABASE_URL, { max: 2, onnotice: () => undefined });
    clinician = await tokens.issue({ scope: 'user/*.rs', role: 'clinician', organisation: 'RX1' });
    system = await tokens.issue({ scope: 'system/*.rs', clientId: 'etl', purposeOfUse: 'TREAT' });
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await api.close();
  });

  it('a search that outlasts the statement timeout answers 503 with Retry-After, not 500', async () => {
    const answer = await whileLocked(() => search(`code=${code}`, clinician));
    expect(answer.status).toBe(503);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    const outcome = answer.body as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]).toMatchObject({ severity: 'error', code: 'timeout' });
    // and the API is fine afterwards
    expect((await search(`code=${code}`, clinician)).status).toBe(200);
  });

  it('one caller’s second expensive search at once answers 429 with Retry-After; others are not held up', async () => {
    const [first, second, cheap] = await whileLocked(async () => {
      const running = search(`code=${code}&_summary=count`, clinician);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the first is running (waiting on the lock)
      const more = await search(`code=${code}&_total=accurate`, clinician);
      const other = await search(`code=${code}`, system);
      return [await running, more, other];
    });
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((second.body as OperationOutcome).issue[0].code).toBe('throttled');
    expect(cheap.status).toBe(200);
    expect(first.status).toBe(503);
    // the slot is free again once the first has finished
    expect((await search(`code=${code}&_summary=count`, clinician)).status).toBe(200);
  });
});
