import type { DataSource } from 'typeorm';
import type { IdentityInitialLoad } from './identity.initial-load';
import type { IdentityLinker } from './identity.linker';

export interface RebuildOptions {
  /** Patients per batch (and per progress line). */
  batchSize?: number;
  /** Batch slices linked at once (block locks keep concurrent links of one person apart). */
  concurrency?: number;
  /** Resume after this resource key (as an interrupted run printed it); the re-evaluation pass always runs. */
  after?: string;
  onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildProgress {
  /** `initial-load`: an empty index linked in memory (IdentityInitialLoad); `link`: through the stored linker. */
  phase: 'initial-load' | 'link' | 're-evaluate';
  done: number;
  /** `link`: the last resource key linked; `re-evaluate`: the last patient id scored again. */
  last: string;
}

export interface RebuildReport {
  linked: number;
  /** How the Patients were linked: in memory for an empty index, else through the stored linker. */
  mode: 'initial-load' | 'stored';
  reEvaluated: number;
  /** Patients still awaiting review (an AUTO POSSIBLE_MATCH) at the end. */
  stillPossible: number;
}

/**
 * Links an existing store (`identity:rebuild`): every current Patient, in resource-key order, through the same
 * linker as ingest (so the result is what ingest would have made, and replays change nothing), then a second pass
 * over the open questions: the patients the matcher left POSSIBLE_MATCH and the records of the persons they may be.
 * Linked one at a time, an early record was compared only with the records stored before it; scored again once
 * everything is in, a later record can settle the doubt (or raise it from the other side), so the result no longer
 * depends on the order and a second run changes nothing. Resumable with `after`; idempotent.
 *
 * An index that holds no links at all (the first linking of a loaded store) is linked by IdentityInitialLoad
 * instead, when given: the same decisions in memory, written page by page, about twenty times faster than a round
 * trip per patient. An interrupted initial load leaves links, so the rerun (with the `after` it printed) goes on
 * through the stored linker.
 */
export class IdentityRebuild {
  constructor(
    private readonly dataSource: DataSource,
    private readonly linker: IdentityLinker,
    /** Given, an empty index (and no `after`) is linked by it: the same decisions, without a round trip each. */
    private readonly initialLoad?: IdentityInitialLoad,
  ) {}

  async rebuild(options: RebuildOptions = {}): Promise<RebuildReport> {
    const batchSize = options.batchSize ?? 500;
    const concurrency = options.concurrency ?? 1;
    const initial = this.initialLoad && options.after === undefined && (await this.initialLoad.applies());
    let linked: number;
    let reEvaluated: number;
    if (initial) {
      const load = await this.initialLoad!.run({
        pageSize: batchSize,
        onProgress: (done, last) => options.onProgress?.({ phase: 'initial-load', done, last }),
      });
      linked = load.linked;
      reEvaluated = load.reEvaluated; // the load settles its doubts in memory, as the pass below would
    } else {
      linked = await this.linkThroughStore(batchSize, concurrency, options);
      reEvaluated = await this.reEvaluate(batchSize, concurrency, options);
    }
    const [{ count }] = await this.dataSource.query(
      `SELECT count(DISTINCT patient_id) AS count FROM identity_link WHERE state = 'POSSIBLE_MATCH' AND origin = 'AUTO'`,
    );
    return { linked, mode: initial ? 'initial-load' : 'stored', reEvaluated, stillPossible: Number(count) };
  }

  private async linkThroughStore(
    batchSize: number,
    concurrency: number,
    options: RebuildOptions,
  ): Promise<number> {
    let after = options.after ?? '-1';
    let linked = 0;
    for (;;) {
      const rows: { resource_key: string; id: string }[] = await this.dataSource.query(
        `SELECT resource_key, id FROM resource
         WHERE resource_type = 'Patient' AND NOT deleted AND resource_key > $1::bigint
         ORDER BY resource_key LIMIT $2`,
        [after, batchSize],
      );
      if (!rows.length) break;
      await this.inSlices(
        rows.map((row) => row.id),
        concurrency,
      );
      linked += rows.length;
      after = rows[rows.length - 1].resource_key;
      options.onProgress?.({ phase: 'link', done: linked, last: after });
      if (rows.length < batchSize) break;
    }
    return linked;
  }

  /**
   * The open questions scored again now that everything is in: the patients left POSSIBLE_MATCH and the records of
   * the persons they may be.
   */
  private async reEvaluate(batchSize: number, concurrency: number, options: RebuildOptions): Promise<number> {
    let reEvaluated = 0;
    let lastPatient = '';
    for (;;) {
      const rows: { patient_id: string }[] = await this.dataSource.query(
        `SELECT patient_id FROM (
           SELECT patient_id FROM identity_link WHERE state = 'POSSIBLE_MATCH' AND origin = 'AUTO'
           UNION
           SELECT member.patient_id FROM identity_link doubt
           JOIN identity_link member ON member.person_id = doubt.person_id AND member.state = 'MATCH'
           WHERE doubt.state = 'POSSIBLE_MATCH' AND doubt.origin = 'AUTO'
         ) doubtful
         WHERE patient_id > $1 ORDER BY patient_id LIMIT $2`,
        [lastPatient, batchSize],
      );
      if (!rows.length) break;
      await this.inSlices(
        rows.map((row) => row.patient_id),
        concurrency,
      );
      reEvaluated += rows.length;
      lastPatient = rows[rows.length - 1].patient_id;
      options.onProgress?.({ phase: 're-evaluate', done: reEvaluated, last: lastPatient });
    }
    return reEvaluated;
  }

  private async inSlices(ids: string[], concurrency: number): Promise<void> {
    const size = Math.ceil(ids.length / concurrency);
    const slices = Array.from({ length: concurrency }, (_, i) => ids.slice(i * size, (i + 1) * size));
    await Promise.all(slices.filter((slice) => slice.length).map((slice) => this.linker.linkStored(slice)));
  }
}
