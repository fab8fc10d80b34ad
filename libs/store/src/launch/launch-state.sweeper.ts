import type { Logger } from '@continuum/observability';
import type { SmartLaunches } from './smart-launches.repository';
import type { UsedLaunchTokens } from './used-launch-tokens.repository';

export interface LaunchStateSweepOptions {
  /**
   * How long after its expiry a row is kept. For a used `jti` this must cover the clock skew the token verifier
   * allows: a token is accepted until `exp + skew`, and its row must outlive that or a replay would be accepted.
   */
  graceMs: number;
  /** Mean time between sweeps; each wait is drawn from ±`jitter` of it so replicas do not sweep in step. */
  everyMs: number;
  jitter?: number;
}

export interface SweptLaunchState {
  usedLaunchTokens: number;
  smartLaunchesAndCodes: number;
}

/**
 * Deletes launch state nobody can redeem any more: used launch tokens past their token's expiry and SMART launches
 * and codes past theirs (used rows stay until then, so a second use is refused and audited as "used").
 *
 * Every replica of the API and the portal runs one. That is safe without a leader: each sweep is a plain
 * `DELETE … WHERE expires_at < cutoff`, idempotent, and two sweeps racing only delete a row once (the second skips
 * rows the first deleted). The timer is unref'd (it never keeps a process alive) and stopped on shutdown.
 */
export class LaunchStateSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly usedTokens: UsedLaunchTokens,
    private readonly smartLaunches: SmartLaunches,
    private readonly options: LaunchStateSweepOptions,
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  /** One sweep: rows that expired more than the grace before `now`. */
  async sweep(now = new Date()): Promise<SweptLaunchState> {
    const cutoff = new Date(now.getTime() - this.options.graceMs);
    const [usedLaunchTokens, smartLaunchesAndCodes] = await Promise.all([
      this.usedTokens.forgetExpired(cutoff),
      this.smartLaunches.forgetExpired(cutoff),
    ]);
    return { usedLaunchTokens, smartLaunchesAndCodes };
  }

  start(): void {
    if (this.timer) return;
    this.schedule();
  }

  /** Stops the schedule and waits for a sweep in progress (its connection goes back to the pool before close). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** The next wait: `everyMs` ± jitter, drawn afresh each time. */
  nextDelayMs(): number {
    const jitter = this.options.jitter ?? 0.2;
    return Math.round(this.options.everyMs * (1 - jitter + 2 * jitter * this.random()));
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then((swept) => {
          if (swept.usedLaunchTokens || swept.smartLaunchesAndCodes)
            this.logger.info(swept, 'expired launch state swept');
        })
        // a failed sweep (database away) is retried at the next one: the rows are only kept longer
        .catch((error: unknown) => this.logger.warn({ err: String(error) }, 'launch state sweep failed; next time'))
        .finally(() => {
          this.running = undefined;
          if (this.timer) this.schedule();
        });
    }, this.nextDelayMs());
    this.timer.unref();
  }
}
