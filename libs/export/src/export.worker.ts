import { randomUUID } from 'node:crypto';
import { badRequest } from '@continuum/fhir';
import type { Logger } from '@continuum/observability';
import type { ExportJob, ExportJobKind, ExportJobs } from '@continuum/store';
import type { ExportFileStore } from './export-file.store';
import { type ExportRunner, failureReasonOf, type RunOutcome } from './export.runner';
import { type ExportSettings, leaseMsOf } from './export-settings';

/** Runs one claimed job of a kind; `lost` says when the worker no longer holds it. */
export interface JobRunner {
  run(job: ExportJob, workerId: string, lost: () => boolean): Promise<RunOutcome>;
}

/** Runners for kinds other than the Bulk Data export (`view-export`; `extract`, from libs/commissioning). */
export type JobRunners = Partial<Record<ExportJobKind, JobRunner>>;

export interface ExportWorkerOptions {
  /** Jobs one worker process runs at once. */
  concurrency: number;
  /** How long an idle worker waits before looking for a job again. */
  idlePollMs: number;
  /** How often expired jobs and their files are swept. */
  sweepEveryMs: number;
}

/**
 * Claims export jobs (any number of worker replicas share them: SKIP LOCKED), runs each while renewing its lease,
 * and sweeps expired jobs with their files. A worker that dies stops renewing: its job's lease lapses within
 * Retry-After and another worker resumes it from its last checkpoint; a job lost too often fails with the reason.
 */
export class ExportWorker {
  /** Names the process too, so an operator (or a test) can tell which replica holds a job. */
  readonly id = `exporter-${process.pid}-${randomUUID()}`;
  private running = false;
  private loops: Promise<void>[] = [];
  private sweeper?: NodeJS.Timeout;
  private wake?: () => void;
  /** The loops' claims, one after another: each sees the slices the previous one took (ExportJobs.claim). */
  private claiming: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly jobs: ExportJobs,
    private readonly runner: ExportRunner,
    private readonly files: ExportFileStore,
    private readonly settings: ExportSettings,
    private readonly options: ExportWorkerOptions,
    private readonly logger: Logger,
    private readonly runners: JobRunners = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
    this.sweeper = setInterval(() => void this.sweep(), this.options.sweepEveryMs);
  }

  /** Stops claiming, and waits for the jobs in hand to reach their next checkpoint or end. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.sweeper);
    this.wake?.();
    await Promise.all(this.loops);
  }

  /** Removes expired jobs and their files. */
  async sweep(): Promise<number> {
    try {
      const expired = await this.jobs.expired(100);
      for (const id of expired) {
        await this.files.remove(id);
        await this.jobs.remove(id);
      }
      if (expired.length) this.logger.info({ jobs: expired.length }, 'expired exports removed');
      return expired.length;
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'export sweep failed; next time');
      return 0;
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let job: ExportJob | undefined;
      try {
        const claim = this.claiming.then(() =>
          this.jobs.claim(this.id, leaseMsOf(this.settings), this.settings.maxAttempts),
        );
        this.claiming = claim.catch(() => undefined);
        job = await claim;
      } catch (error) {
        this.logger.warn({ err: String(error) }, 'claiming an export job failed; retrying');
      }
      if (job) await this.execute(job);
      else await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.options.idlePollMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** One job, its lease renewed every third of its length; the job stops when the lease is lost or the worker stops. */
  private async execute(job: ExportJob): Promise<void> {
    let lost = false;
    const lease = leaseMsOf(this.settings);
    const heartbeat = setInterval(() => {
      this.jobs
        .renew(job.id, this.id, lease)
        .then((held) => (lost ||= !held))
        .catch((error: unknown) => this.logger.warn({ err: String(error), job: job.id }, 'lease renewal failed'));
    }, lease / 3);
    const log = { job: job.parentId ?? job.id, slice: job.slice, attempt: job.attempts, resumeAfter: job.resumeAfter };
    try {
      this.logger.info(log, 'export job started');
      const runner = job.kind === 'bulk-export' ? this.runner : this.runners[job.kind];
      // a kind this worker was not given a runner for fails saying so, rather than running as something else
      if (!runner) throw badRequest(`This exporter has no runner for jobs of kind '${job.kind}'`);
      const outcome = await runner.run(job, this.id, () => lost || !this.running);
      if (outcome === 'lost') {
        // cancelled under us: whatever the run wrote after the cancel removed its files goes too (a slice's files
        // are kept with its export's); otherwise a stopping worker lets the job go for another to resume
        if (!(await this.jobs.find(job.id))) await this.files.remove(job.parentId ?? job.id);
        else if (!this.running) await this.jobs.release(job.id, this.id);
        this.logger.info(log, 'export job left');
      } else if (outcome === 'sliced') {
        this.logger.info(log, 'export job sliced');
        this.wake?.(); // an idle loop takes a slice now rather than at its next poll
      } else this.logger.info({ ...log, outcome }, 'export job finished');
    } catch (error) {
      const reason = failureReasonOf(error);
      if (reason) {
        const expiresAt = new Date(Date.now() + this.settings.expiresAfterSeconds * 1000);
        await this.jobs.fail(job.id, this.id, reason, expiresAt).catch(() => undefined);
        this.logger.warn({ ...log, reason }, 'export job failed');
      } else {
        // a transient fault (the database, the disk): let it go, to be claimed again (attempts are capped)
        await this.jobs.release(job.id, this.id).catch(() => undefined);
        this.logger.error({ ...log, err: String(error) }, 'export job interrupted; released for another attempt');
      }
    } finally {
      clearInterval(heartbeat);
    }
  }
}
