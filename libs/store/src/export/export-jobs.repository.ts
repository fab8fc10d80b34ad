import { randomUUID } from 'node:crypto';
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
  /** A slice's export (the job the client kicked off); null for that job itself. */
  parentId: string | null;
  /** A slice's number within its export, from 1. */
  slice: number | null;
  /** A slice reads the keys after `keyFrom` (null: from the first) up to and including `keyTo` (null: to the last). */
  keyFrom: string | null;
  keyTo: string | null;
  /** Sliced: its slices run it. */
  sliced: boolean;
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

/** A job's columns; `exported` as the caller counts it. */
const jobColumns = (exported = 'exported') => `id, kind, status, client_id AS "clientId",
  purpose_of_use AS "purposeOfUse", access,
  request_url AS "requestUrl", parameters, transaction_time AS "transactionTime", resume_after AS "resumeAfter",
  (${exported})::float8 AS exported, issues, failure_reason AS "failureReason", worker_id AS "workerId", attempts,
  created_at AS "createdAt", completed_at AS "completedAt", expires_at AS "expiresAt",
  last_polled_at AS "lastPolledAt", parent_id AS "parentId", slice, key_from AS "keyFrom", key_to AS "keyTo",
  sliced`;
const JOB_COLUMNS = jobColumns();
/** A sliced job's progress: what its slices exported. */
const EXPORTED_WITH_SLICES = `exported + CASE WHEN sliced
  THEN (SELECT coalesce(sum(s.exported), 0) FROM export_job s WHERE s.parent_id = export_job.id) ELSE 0 END`;

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

  /** A job (or a slice); a sliced job's `exported` counts what its slices exported. */
  async find(id: string): Promise<ExportJob | undefined> {
    if (!UUID.test(id)) return undefined;
    const [job] = await this.sql<ExportJob[]>`
      SELECT ${this.sql.unsafe(jobColumns(EXPORTED_WITH_SLICES))} FROM export_job WHERE id = ${id}`;
    return job;
  }

  /** A job's files, its slices' included (in slice order within each type): its manifest. */
  async files(id: string): Promise<ExportFile[]> {
    if (!UUID.test(id)) return [];
    return this.sql<ExportFile[]>`
      SELECT f.name, f.kind, f.resource_type AS "resourceType", f.part, f.count, f.bytes::float8 AS bytes, f.complete
      FROM export_file f JOIN export_job j ON j.id = f.job_id
      WHERE j.id = ${id} OR j.parent_id = ${id}
      ORDER BY f.kind, f.resource_type, j.slice NULLS FIRST, f.part`;
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
   * Claims the oldest job no live worker holds (new, or its worker's lease lapsed), taking a lease of `leaseMs`;
   * a sliced job's slices rather than itself (they share its age, so they queue where it did), one at a time per
   * worker process: two scans in one process read no faster than one (docs/bulk-export.md, "Slices"), so a
   * second slice waits for another process, or for this one's first to end. A slice already started once (its
   * worker was lost, or let it go) is taken by any worker with a free hand, so it resumes within twice Retry-After.
   * A job claimed `maxAttempts` times already is failed with the reason instead of being run again (a slice fails
   * its whole export).
   */
  async claim(workerId: string, leaseMs: number, maxAttempts: number): Promise<ExportJob | undefined> {
    return this.sql.begin(async (tx) => {
      const [candidate] = await tx<{ id: string; attempts: number }[]>`
        SELECT id, attempts FROM export_job
        WHERE status IN ('accepted', 'in-progress') AND (lease_until IS NULL OR lease_until < clock_timestamp())
          AND NOT sliced
          AND (attempts > 0 OR NOT EXISTS (SELECT 1 FROM export_job sibling
                          WHERE sibling.parent_id = export_job.parent_id AND sibling.worker_id = ${workerId}
                            AND sibling.lease_until >= clock_timestamp()))
        ORDER BY created_at, slice NULLS FIRST
        FOR UPDATE SKIP LOCKED
        LIMIT 1`;
      if (!candidate) return undefined;
      if (candidate.attempts >= maxAttempts) {
        await failWithSlices(tx, candidate.id, `Export stopped: its worker was lost ${candidate.attempts} times`);
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

  /**
   * Splits a claimed job into slices, one per key range: `boundaries` (ascending) end each range but the last. The
   * slices copy the job (the first one its issues, so the error file is written once) and are claimed like any
   * job; the job itself is let go and no longer claimed. False when the worker lost the job.
   */
  async slice(id: string, workerId: string, boundaries: string[]): Promise<boolean> {
    const from = [null, ...boundaries];
    const to = [...boundaries, null];
    return this.sql.begin(async (tx) => {
      const rows = await tx`
        UPDATE export_job SET sliced = true, worker_id = NULL, lease_until = NULL
        WHERE id = ${id} AND worker_id = ${workerId} AND status = 'in-progress' AND parent_id IS NULL`;
      if (rows.count !== 1) return false;
      await tx`
        INSERT INTO export_job (id, kind, status, client_id, purpose_of_use, access, request_url, parameters,
                                transaction_time, expires_at, issues, created_at, parent_id, slice, key_from, key_to)
        SELECT s.id, j.kind, 'accepted', j.client_id, j.purpose_of_use, j.access, j.request_url, j.parameters,
               j.transaction_time, j.expires_at, CASE WHEN s.slice = 1 THEN j.issues ELSE '[]' END, j.created_at,
               j.id, s.slice, s.key_from, s.key_to
        FROM export_job j,
             unnest(${from.map(() => randomUUID())}::uuid[], ${from.map((_, n) => n + 1)}::int[],
                    ${from as string[]}::bigint[], ${to as string[]}::bigint[]) AS s(id, slice, key_from, key_to)
        WHERE j.id = ${id}`;
      return true;
    });
  }

  /**
   * Completes a job the worker holds. A slice completes its export with it when it is the last: the export's row is
   * locked first, so slices finishing together see each other's completion.
   */
  async complete(id: string, workerId: string, expiresAt: Date): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const parentId = await lockParentOf(tx, id);
      const rows = await tx`
        UPDATE export_job SET status = 'completed', completed_at = now(), expires_at = ${expiresAt},
          worker_id = NULL, lease_until = NULL
        WHERE id = ${id} AND worker_id = ${workerId} AND status = 'in-progress'`;
      if (rows.count !== 1) return false;
      if (parentId)
        await tx`
          UPDATE export_job SET status = 'completed', completed_at = now(), expires_at = ${expiresAt}
          WHERE id = ${parentId} AND status = 'in-progress'
            AND NOT EXISTS (SELECT 1 FROM export_job WHERE parent_id = ${parentId} AND status <> 'completed')`;
      return true;
    });
  }

  /** Fails a job the worker holds; a slice fails its export and the other slices, which stop at their next write. */
  async fail(id: string, workerId: string, reason: string, expiresAt: Date): Promise<void> {
    await this.sql.begin(async (tx) => {
      const [held] = await tx`SELECT 1 FROM export_job WHERE id = ${id} AND worker_id = ${workerId}`;
      if (held) await failWithSlices(tx, id, reason, expiresAt);
    });
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

  /** Cancels (or sweeps) a job: its row, its slices' and its files' rows go. True when there was one. */
  async remove(id: string): Promise<boolean> {
    const rows = await this.sql`DELETE FROM export_job WHERE id = ${id}`;
    return rows.count === 1;
  }

  /** Jobs past their expiry that no worker is running, oldest first (the sweeper removes them and their files). */
  async expired(limit: number): Promise<string[]> {
    const rows = await this.sql<{ id: string }[]>`
      SELECT id FROM export_job j
      WHERE expires_at < now() AND (lease_until IS NULL OR lease_until < now()) AND parent_id IS NULL
        AND NOT EXISTS (SELECT 1 FROM export_job s WHERE s.parent_id = j.id AND s.lease_until >= now())
      ORDER BY expires_at LIMIT ${limit}`;
    return rows.map((row) => row.id);
  }
}

/** Locks the export a slice belongs to (none for a job that is not a slice), and names it. */
async function lockParentOf(tx: postgres.TransactionSql, id: string): Promise<string | undefined> {
  const [parent] = await tx<{ id: string }[]>`
    SELECT p.id FROM export_job p JOIN export_job s ON s.parent_id = p.id WHERE s.id = ${id}
    FOR UPDATE OF p`;
  return parent?.id;
}

/**
 * Fails a job with the reason; a slice fails its export, and the export's slices not yet completed, so that they
 * stop. The export's row is locked first, as `complete` does.
 */
async function failWithSlices(
  tx: postgres.TransactionSql,
  id: string,
  reason: string,
  expiresAt?: Date,
): Promise<void> {
  const root = (await lockParentOf(tx, id)) ?? id;
  await tx`
    UPDATE export_job SET status = 'failed', failure_reason = ${reason}, completed_at = now(),
      ${expiresAt ? tx`expires_at = ${expiresAt},` : tx``} worker_id = NULL, lease_until = NULL
    WHERE id = ${root} OR (parent_id = ${root} AND status <> 'completed')`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
