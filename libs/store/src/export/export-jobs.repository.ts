import type postgres from 'postgres';
import type { ExportFileKind, ExportJobKind, ExportJobStatus } from './export-job.entities';

/** An export job as its owners (the API edge, the workers) see it. */
export interface ExportJob {
  id: string;
  kind: ExportJobKind;
  status: ExportJobStatus;
  clientId: string;
  purposeOfUse: string;
  access: unknown;
  requestUrl: string;
  parameters: unknown;
  transactionTime: Date;
  resumeAfter: string | null;
  exported: number;
  issues: string[];
  failureReason: string | null;
  workerId: string | null;
  attempts: number;
  createdAt: Date;
  completedAt: Date | null;
  expiresAt: Date;
  lastPolledAt: Date | null;
}

export interface ExportFile {
  name: string;
  kind: ExportFileKind;
  resourceType: string;
  part: number;
  count: number;
  bytes: number;
  complete: boolean;
}

export type NewExportJob = Pick<
  ExportJob,
  'id' | 'kind' | 'clientId' | 'purposeOfUse' | 'access' | 'requestUrl' | 'parameters' | 'transactionTime' | 'expiresAt'
> & { /** Problems found at kick-off that lenient handling let through (reported in the error file). */ issues: string[] };

/** What a worker saves at a checkpoint: the scan's position and every file touched since the last one. */
export interface ExportCheckpoint {
  resumeAfter: string | null;
  exported: number;
  files: ExportFile[];
  issues?: string[];
}

const JOB_COLUMNS = `id, kind, status, client_id AS "clientId", purpose_of_use AS "purposeOfUse", access,
  request_url AS "requestUrl", parameters, transaction_time AS "transactionTime", resume_after AS "resumeAfter",
  exported::float8 AS exported, issues, failure_reason AS "failureReason", worker_id AS "workerId", attempts,
  created_at AS "createdAt", completed_at AS "completedAt", expires_at AS "expiresAt",
  last_polled_at AS "lastPolledAt"`;

/**
 * The export control tables on postgres.js (the API loads no TypeORM; the schema is ExportJobEntity and its
 * migration). A worker claims a job with `FOR UPDATE SKIP LOCKED` and holds it by a lease it renews; every write a
 * worker makes is conditional on still holding it, so a job cancelled or taken over under it stops it.
 */
export class ExportJobs {
  constructor(private readonly sql: postgres.Sql) {}

  /** The kick-off: one row, nothing else (the work is the workers'). */
  async create(job: NewExportJob): Promise<void> {
    await this.sql`
      INSERT INTO export_job (id, kind, status, client_id, purpose_of_use, access, request_url, parameters,
                              transaction_time, expires_at, issues)
      VALUES (${job.id}, ${job.kind}, 'accepted', ${job.clientId}, ${job.purposeOfUse},
              ${this.sql.json(job.access as postgres.JSONValue)}, ${job.requestUrl},
              ${this.sql.json(job.parameters as postgres.JSONValue)}, ${job.transactionTime}, ${job.expiresAt},
              ${this.sql.json(job.issues)})`;
  }

  async find(id: string): Promise<ExportJob | undefined> {
    if (!UUID.test(id)) return undefined;
    const [job] = await this.sql<ExportJob[]>`SELECT ${this.sql.unsafe(JOB_COLUMNS)} FROM export_job WHERE id = ${id}`;
    return job;
  }

  async files(id: string): Promise<ExportFile[]> {
    return this.sql<ExportFile[]>`
      SELECT name, kind, resource_type AS "resourceType", part, count, bytes::float8 AS bytes, complete
      FROM export_file WHERE job_id = ${id} ORDER BY kind, resource_type, part`;
  }

  /**
   * Notes a status poll and says whether it came sooner than `minIntervalMs` after the previous one (answered 429).
   * One statement, so concurrent polls cannot both pass.
   */
  async notePoll(id: string, minIntervalMs: number): Promise<'ok' | 'too-soon'> {
    const [row] = await this.sql<{ tooSoon: boolean }[]>`
      WITH previous AS (SELECT last_polled_at FROM export_job WHERE id = ${id} FOR UPDATE)
      UPDATE export_job SET last_polled_at = CASE
          WHEN previous.last_polled_at > clock_timestamp() - make_interval(secs => ${minIntervalMs / 1000})
          THEN previous.last_polled_at ELSE clock_timestamp() END
      FROM previous WHERE id = ${id}
      RETURNING previous.last_polled_at > clock_timestamp() - make_interval(secs => ${minIntervalMs / 1000})
        AS "tooSoon"`;
    return row?.tooSoon ? 'too-soon' : 'ok';
  }

  /**
   * Claims the oldest job no live worker holds (new, or its worker's lease lapsed), taking a lease of `leaseMs`.
   * A job claimed `maxAttempts` times already is failed with the reason instead of being run again.
   */
  async claim(workerId: string, leaseMs: number, maxAttempts: number): Promise<ExportJob | undefined> {
    return this.sql.begin(async (tx) => {
      const [candidate] = await tx<{ id: string; attempts: number }[]>`
        SELECT id, attempts FROM export_job
        WHERE status IN ('accepted', 'in-progress') AND (lease_until IS NULL OR lease_until < clock_timestamp())
        ORDER BY created_at
        FOR UPDATE SKIP LOCKED
        LIMIT 1`;
      if (!candidate) return undefined;
      if (candidate.attempts >= maxAttempts) {
        await tx`
          UPDATE export_job SET status = 'failed', worker_id = NULL, lease_until = NULL, completed_at = now(),
            failure_reason = ${`Export stopped: its worker was lost ${candidate.attempts} times`}
          WHERE id = ${candidate.id}`;
        return undefined;
      }
      const [job] = await tx<ExportJob[]>`
        UPDATE export_job SET status = 'in-progress', worker_id = ${workerId}, attempts = attempts + 1,
          lease_until = clock_timestamp() + make_interval(secs => ${leaseMs / 1000})
        WHERE id = ${candidate.id}
        RETURNING ${tx.unsafe(JOB_COLUMNS)}`;
      return job;
    });
  }

  /** Renews the lease; false when the job is gone (cancelled) or another worker holds it now. */
  async renew(id: string, workerId: string, leaseMs: number): Promise<boolean> {
    const rows = await this.sql`
      UPDATE export_job SET lease_until = clock_timestamp() + make_interval(secs => ${leaseMs / 1000})
      WHERE id = ${id} AND worker_id = ${workerId} AND status = 'in-progress'`;
    return rows.count === 1;
  }

  /**
   * Saves the scan position with the files it accounts for, atomically; false when the worker lost the job.
   * `alsoIn` runs inside the same transaction once the job is known to be held (the audit of what the files
   * gained): the checkpoint and it commit together or not at all.
   */
  async checkpoint(
    id: string,
    workerId: string,
    leaseMs: number,
    point: ExportCheckpoint,
    alsoIn?: (tx: postgres.TransactionSql) => Promise<void>,
  ): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const rows = await tx`
        UPDATE export_job SET resume_after = ${point.resumeAfter}, exported = ${point.exported},
          lease_until = clock_timestamp() + make_interval(secs => ${leaseMs / 1000})
          ${point.issues ? tx`, issues = ${tx.json(point.issues)}` : tx``}
        WHERE id = ${id} AND worker_id = ${workerId} AND status = 'in-progress'`;
      if (rows.count !== 1) return false;
      if (point.files.length)
        await tx`
          INSERT INTO export_file (job_id, name, kind, resource_type, part, count, bytes, complete)
          SELECT ${id}, * FROM unnest(${point.files.map((f) => f.name)}::text[], ${point.files.map((f) => f.kind)}::text[],
            ${point.files.map((f) => f.resourceType)}::text[], ${point.files.map((f) => f.part)}::int[],
            ${point.files.map((f) => f.count)}::int[], ${point.files.map((f) => f.bytes)}::bigint[],
            ${point.files.map((f) => f.complete)}::bool[])
          ON CONFLICT (job_id, name) DO UPDATE SET count = EXCLUDED.count, bytes = EXCLUDED.bytes,
            complete = EXCLUDED.complete`;
      await alsoIn?.(tx);
      return true;
    });
  }

  async complete(id: string, workerId: string, expiresAt: Date): Promise<boolean> {
    const rows = await this.sql`
      UPDATE export_job SET status = 'completed', completed_at = now(), expires_at = ${expiresAt},
        worker_id = NULL, lease_until = NULL
      WHERE id = ${id} AND worker_id = ${workerId} AND status = 'in-progress'`;
    return rows.count === 1;
  }

  async fail(id: string, workerId: string, reason: string, expiresAt: Date): Promise<void> {
    await this.sql`
      UPDATE export_job SET status = 'failed', failure_reason = ${reason}, completed_at = now(),
        expires_at = ${expiresAt}, worker_id = NULL, lease_until = NULL
      WHERE id = ${id} AND worker_id = ${workerId}`;
  }

  /** Lets the job go (a transient failure): another worker, or this one, claims it again. */
  async release(id: string, workerId: string): Promise<void> {
    await this.sql`
      UPDATE export_job SET worker_id = NULL, lease_until = NULL WHERE id = ${id} AND worker_id = ${workerId}`;
  }

  /**
   * Whether a transaction that began at or before `instant` is still open in this database. Writers stamp
   * lastUpdated before they commit, so an export waits for these before it scans up to its transactionTime:
   * otherwise a write stamped before it but committed after the scan passed would be in neither this export nor
   * the next `_since` one.
   */
  async writersOpenSince(instant: Date): Promise<boolean> {
    const [row] = await this.sql<{ open: boolean }[]>`
      SELECT EXISTS (
        SELECT 1 FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
          AND xact_start <= ${instant} AND state <> 'idle') AS open`;
    return row.open;
  }

  /** Cancels (or sweeps) a job: its row and its files' rows go. True when there was one. */
  async remove(id: string): Promise<boolean> {
    const rows = await this.sql`DELETE FROM export_job WHERE id = ${id}`;
    return rows.count === 1;
  }

  /** Jobs past their expiry that no worker is running, oldest first (the sweeper removes them and their files). */
  async expired(limit: number): Promise<string[]> {
    const rows = await this.sql<{ id: string }[]>`
      SELECT id FROM export_job
      WHERE expires_at < now() AND (lease_until IS NULL OR lease_until < now())
      ORDER BY expires_at LIMIT ${limit}`;
    return rows.map((row) => row.id);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
