import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';
import { inTransaction } from '../database/transaction.runner';
import { AuditEventRepository } from './audit-event.repository';

interface Pending {
  event: AuditEvent;
  done: (error?: unknown) => void;
}

const MAX_BATCH = 500;

/**
 * Durable audit with group commit: `record` resolves only once its event is committed, and events recorded while
 * a batch is being written go together in the next one (one transaction, one chain-lock hold for many events).
 * Callers await it before answering, so no response leaves without its audit row; a failed write rejects them all.
 */
export class AuditLog {
  private readonly queue: Pending[] = [];
  private draining?: Promise<void>;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly patientIds: (event: AuditEvent) => string[],
    private readonly repository = new AuditEventRepository(),
  ) {}

  record(event: AuditEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.draining ??= this.drain();
    });
  }

  /** Appends one event inside the caller's transaction (a data write's), so both commit or neither does. */
  appendIn(tx: postgres.TransactionSql, event: AuditEvent): Promise<void> {
    return this.repository.append(tx, [event], this.patientIds);
  }

  /** Resolves when everything recorded so far is written (shutdown). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /**
   * Writes batches until the queue is empty. `draining` is cleared in the same synchronous step as the last look at
   * the queue (the `finally` below, not a `.finally()` callback, which would run a microtask later): otherwise an
   * event recorded by the continuation of the last batch's caller (a `record` awaited in a loop) would see a drain
   * still "running", stay queued and wait for someone else's event to be written.
   */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await inTransaction(this.sql, (tx) =>
            this.repository.append(
              tx,
              batch.map((pending) => pending.event),
              this.patientIds,
            ),
          );
          batch.forEach((pending) => pending.done());
        } catch (error) {
          batch.forEach((pending) => pending.done(error ?? new Error('audit write failed')));
        }
      }
    } finally {
      this.draining = undefined;
    }
  }
}
