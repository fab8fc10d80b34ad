import { badRequest, conflict, FhirError, unprocessable } from './operation-outcome';
import { isRetryableStatus, isTransientFault, transientSqlState } from './transient-fault';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('transient faults: retrying the same input later can succeed', () => {
  it('FhirError is retryable for a conflict (409) or unavailability (503) only', () => {
    expect([409, 503].map(isRetryableStatus)).toEqual([true, true]);
    expect([400, 404, 412, 422, 500].map(isRetryableStatus)).toEqual([false, false, false, false, false]);
    expect(conflict('version conflict').retryable).toBe(true);
    expect(FhirError.of(503, 'timeout', 'later').retryable).toBe(true);
    expect(badRequest('bad').retryable).toBe(false);
    expect(isTransientFault(conflict('version conflict'))).toBe(true);
    expect(isTransientFault(unprocessable([{ code: 'invalid', diagnostics: 'bad' }]))).toBe(false);
  });

  it('maps the SQLSTATEs with an answer of their own to 409 or 503, as the store reports them', () => {
    expect(transientSqlState('40P01')).toMatchObject({ status: 409, code: 'conflict' });
    expect(transientSqlState('40001')).toMatchObject({ status: 409, code: 'conflict' });
    expect(transientSqlState('55P03')).toMatchObject({ status: 409, code: 'conflict' });
    expect(transientSqlState('57014')).toMatchObject({ status: 503, code: 'timeout' });
    expect(transientSqlState('25P03')).toMatchObject({ status: 503, code: 'timeout' });
  });

  it('treats whole SQLSTATE classes as transient: connection, rollback, resources, shutdown, system', () => {
    expect(transientSqlState('08006')).toMatchObject({ status: 503 });
    expect(transientSqlState('40002')).toMatchObject({ status: 409 });
    expect(transientSqlState('53300')).toMatchObject({ status: 503 });
    expect(transientSqlState('57P01')).toMatchObject({ status: 503 });
    expect(transientSqlState('58030')).toMatchObject({ status: 503 });
    for (const code of ['08006', '40P01', '53300', '55P03', '57P01', '57014', '25P03', '58030'])
      expect(isTransientFault(withCode(code))).toBe(true);
  });

  it('treats input errors as permanent: constraint, type and syntax errors', () => {
    for (const code of ['23505', '23503', '22P02', '42601', '42P01', '25P02'])
      expect([code, transientSqlState(code), isTransientFault(withCode(code))]).toEqual([
        code,
        undefined,
        false,
      ]);
  });

  it('treats network and postgres.js connection errors and kafkajs retriable errors as transient', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECT_TIMEOUT'])
      expect(isTransientFault(withCode(code))).toBe(true);
    expect(isTransientFault(Object.assign(new Error('leader moved'), { retriable: true }))).toBe(true);
    expect(isTransientFault(Object.assign(new Error('too large'), { retriable: false }))).toBe(false);
  });

  it('treats anything else as permanent', () => {
    expect(isTransientFault(new Error('boom'))).toBe(false);
    expect(isTransientFault('a string')).toBe(false);
    expect(isTransientFault(undefined)).toBe(false);
    expect(isTransientFault(withCode('EACCES'))).toBe(false);
  });
});
