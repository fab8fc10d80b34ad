import { FhirError } from '@continuum/fhir';
import type postgres from 'postgres';
import { aPatient } from '../testing/fhir-builders';
import { openTestStore, token } from '../testing/test-store';
import { inTransaction } from './transaction.runner';

describe('writers that deadlock get a retryable 409, not a 500', () => {
  let sql: postgres.Sql;
  let close: () => Promise<void>;
  const ids: string[] = [];

  beforeAll(async () => {
    const opened = await openTestStore();
    ({ sql, close } = opened);
    for (const name of ['a', 'b'])
      ids.push((await opened.store.create(aPatient(`deadlock-${name}-${token()}`))).id);
  });
  afterAll(() => close());

  it('maps the deadlock victim to FhirError 409 (retryable) and lets the other commit', async () => {
    let arrived = 0;
    let bothLocked!: () => void;
    const barrier = new Promise<void>((resolve) => (bothLocked = resolve));
    const lockInOrder = (first: string, second: string) =>
      inTransaction(sql, async (tx) => {
        await tx`SELECT 1 FROM resource WHERE resource_type = 'Patient' AND id = ${first} FOR UPDATE`;
        if (++arrived === 2) bothLocked();
        await barrier;
        await tx`SELECT 1 FROM resource WHERE resource_type = 'Patient' AND id = ${second} FOR UPDATE`;
      });
    const results = await Promise.allSettled([lockInOrder(ids[0], ids[1]), lockInOrder(ids[1], ids[0])]);
    const failures = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as unknown] : [],
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(FhirError);
    expect((failures[0] as FhirError).status).toBe(409);
    expect((failures[0] as FhirError).retryable).toBe(true);
  });
});
