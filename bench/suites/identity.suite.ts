import 'reflect-metadata';
import type postgres from 'postgres';
import { DataSource } from 'typeorm';
import {
  DEFAULT_MATCH_MODEL,
  IncrementalLinker,
  trainMatchModel,
  type LinkedRecordOutcome,
  type MatchModel,
} from '@continuum/fhir';
import { generateLabelledPopulation } from '@continuum/generator';
import { createFhirStore, createSql, type FhirStore } from '@continuum/store';
import { typeOrmOptions } from '@continuum/store/database/data-source';
import {
  IDENTITY_ENTITIES,
  IdentityInitialLoad,
  IdentityLinker,
  IdentityLinks,
  IdentityRebuild,
} from '@continuum/store/identity';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import type { Patient } from 'fhir/r4';
import { writeConcurrently } from '../measure/community-data';
import { blockingAndCurve, linkageAccuracy, outcomeOf, renderAccuracy } from '../measure/identity-accuracy';
import { labelledPatients, type LabelledPatient } from '../measure/labelled-population';
import { LatencyRecorder } from '../measure/latency.recorder';
import { copyPatients } from '../measure/patient-copy';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Patients handed to `linkStored` at once, as an ingest chunk's Patients are. */
const LINK_CHUNK = 50;
const STORE_BATCH = 500;
/** Patients per page of the initial load (`--linker rebuild`); the latency recorded is a page's. */
const REBUILD_PAGE = 5_000;

/**
 * The master patient index on the generator's labelled population (issue #13): accuracy against the truth and
 * linking throughput. In memory (default), the records are linked one by one by `IncrementalLinker`, the same
 * steps and limits as the store's IdentityLinker; with `--store true` they are first stored in a scratch
 * database (not timed) and linked through Postgres, and the accuracy is read back from the identity tables:
 * `--linker ingest` (default) by IdentityLinker.linkStored in chunks (advisory locks, the ingest path);
 * `--load copy` writes the Patients with COPY straight into the resource table (bench/measure/patient-copy.ts: the
 * linker reads nothing else) instead of the validated store path, for a million-record preparation in minutes.
 * `--linker rebuild` by `identity:rebuild`'s path on the empty index (IdentityInitialLoad in memory, written page by
 * page, then the re-evaluation pass through the stored linker), the path that links a loaded store. The model is the linker's default unless `--model trained`:
 * trained (unsupervised) on a population of another seed, never on the one it is scored on.
 */
class IdentityBench {
  private evaluation: LabelledPatient[] = [];
  private model: MatchModel = DEFAULT_MATCH_MODEL;
  private trained?: MatchModel;
  private persons = 0;
  private seed = '';
  private storeMode = false;
  private linkerMode: 'ingest' | 'rebuild' = 'ingest';
  private concurrency = 3;
  private sql?: postgres.Sql;
  private dataSource?: DataSource;
  private linker?: IdentityLinker;
  private initialLoad?: IdentityInitialLoad;
  private dropDatabase?: () => Promise<void>;

  async prepare(ctx: SuiteContext): Promise<void> {
    const extra = ctx.options.extra;
    this.persons = Number(extra['persons'] ?? ctx.options.resources);
    this.seed = extra['seed'] ?? 'identity-eval';
    const trainSeed = extra['train-seed'] ?? 'identity-train';
    if (trainSeed === this.seed)
      throw new Error('--train-seed must differ from --seed: never train on the evaluation');
    this.storeMode = extra['store'] === 'true';
    this.concurrency = Number(extra['concurrency'] ?? 3);
    const linker = extra['linker'] ?? 'ingest';
    if (linker !== 'ingest' && linker !== 'rebuild') throw new Error('--linker must be ingest or rebuild');
    this.linkerMode = linker;

    let started = performance.now();
    this.evaluation = labelledPatients(this.seed, this.persons);
    ctx.log(
      `labelled population: ${this.persons} persons, ${this.evaluation.length} source Patients (seed ${this.seed}) in ${seconds(started)} s`,
    );
    started = performance.now();
    const trainPersons = Number(extra['train-persons'] ?? Math.min(this.persons, 50_000));
    this.trained = trainMatchModel(
      labelledPatients(trainSeed, trainPersons).map((record) => record.prepared),
      { seed: 1, uSamples: 1_000_000 },
    );
    ctx.log(`trained a model on ${trainPersons} persons of seed ${trainSeed} in ${seconds(started)} s`);
    this.model = extra['model'] === 'trained' ? this.trained : DEFAULT_MATCH_MODEL;

    if (this.storeMode) await this.prepareStore(ctx);
  }

  /** A scratch database holding every Patient of the population, and a linker on it. */
  private async prepareStore(ctx: SuiteContext): Promise<void> {
    const database = await createScratchDatabase(
      BASE_URL,
      `continuum_bench_identity_${Date.now().toString(36)}`,
    );
    this.dropDatabase = database.drop;
    this.sql = createSql(database.config);
    const store = createFhirStore(this.sql, {});
    const started = performance.now();
    let stored = 0;
    const copy = ctx.options.extra['load'] === 'copy';
    await writeConcurrently(patientBatches(this.seed, this.persons), 2, async (batch) => {
      await (copy ? copyPatients(this.sql!, batch) : storeAll(store, batch));
      stored += batch.length;
      if (stored % 20_000 < STORE_BATCH) ctx.log(`stored ${stored} Patients`);
    });
    ctx.log(
      `stored ${stored} Patients in ${seconds(started)} s (${copy ? 'COPY into the resource table' : 'the store'}; not timed)`,
    );
    this.dataSource = new DataSource({
      ...typeOrmOptions(database.config),
      entities: IDENTITY_ENTITIES,
      migrations: [],
      extra: { max: this.concurrency + 1 },
    });
    await this.dataSource.initialize();
    const links = new IdentityLinks(this.dataSource);
    this.linker = new IdentityLinker(this.dataSource, links, { model: this.model });
    this.initialLoad = new IdentityInitialLoad(this.dataSource, links, { model: this.model });
    const [{ pid }] = await this.sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    ctx.memory.watch('postgres backend', pid);
  }

  async warmup(): Promise<void> {
    // in memory: the first thousand records through a throwaway linker (JIT); the store is warmed by its load
    const linker = new IncrementalLinker(this.model);
    this.evaluation.slice(0, 1000).forEach((record) => linker.link(record.id, record.prepared));
  }

  async measure(ctx: SuiteContext): Promise<RunResult> {
    if (!this.storeMode) return this.linkInMemory(ctx, this.model, 'in memory');
    return this.linkerMode === 'rebuild' ? this.rebuildInStore(ctx) : this.linkInStore(ctx);
  }

  /** Links every record in memory and prints the accuracy report. */
  private linkInMemory(ctx: SuiteContext, model: MatchModel, label: string, print = true): RunResult {
    const linker = new IncrementalLinker(model);
    const latency = new LatencyRecorder();
    const outcomes: LinkedRecordOutcome[] = [];
    const start = performance.now();
    for (const record of this.evaluation) {
      const before = performance.now();
      const { person, possible } = linker.link(record.id, record.prepared);
      latency.record(performance.now() - before);
      outcomes.push(outcomeOf(record, person, possible));
    }
    const elapsedMs = performance.now() - start;
    if (print) {
      this.report(ctx, `${label}, ${modelName(model, this.trained)}`, outcomes, model);
      if (model !== this.trained && this.trained)
        this.report(
          ctx,
          `${label}, ${modelName(this.trained, this.trained)}`,
          this.outcomesWith(this.trained),
          this.trained,
        );
    }
    return {
      label: `IncrementalLinker (${label}, ${modelName(model, this.trained)})`,
      operations: this.evaluation.length,
      unit: 'patients',
      elapsedMs,
      latency,
    };
  }

  private outcomesWith(model: MatchModel): LinkedRecordOutcome[] {
    const linker = new IncrementalLinker(model);
    return this.evaluation.map((record) => {
      const { person, possible } = linker.link(record.id, record.prepared);
      return outcomeOf(record, person, possible);
    });
  }

  /** Links every stored Patient through Postgres (`IdentityLinker.linkStored`), then reads the links back. */
  private async linkInStore(ctx: SuiteContext): Promise<RunResult> {
    const linker = this.linker!;
    const latency = new LatencyRecorder();
    const ids = this.evaluation.map((record) => record.id);
    let linked = 0;
    const start = performance.now();
    await writeConcurrently(chunks(ids, LINK_CHUNK), this.concurrency, async (chunk) => {
      await latency.time(() => linker.linkStored(chunk));
      linked += chunk.length;
      if (linked % 10_000 < LINK_CHUNK)
        ctx.log(`linked ${linked} Patients (${Math.round(linked / ((performance.now() - start) / 1000))}/s)`);
    });
    const elapsedMs = performance.now() - start;
    const perSecond = ids.length / (elapsedMs / 1000);
    ctx.log(
      `through Postgres: ${Math.round(perSecond)} Patients/s; 1 million would take ${(1_000_000 / perSecond / 60).toFixed(1)} min (target ≤ 10)`,
    );
    this.report(
      ctx,
      `through Postgres (IdentityLinker), ${modelName(this.model, this.trained)}`,
      await this.storedOutcomes(),
      this.model,
    );
    return {
      label: `IdentityLinker.linkStored (chunks of ${LINK_CHUNK}, ${this.concurrency} in flight)`,
      operations: ids.length,
      unit: 'patients',
      elapsedMs,
      latency,
    };
  }

  /** Links the stored population as `identity:rebuild` does on an empty index, then reads the links back. */
  private async rebuildInStore(ctx: SuiteContext): Promise<RunResult> {
    const latency = new LatencyRecorder();
    const start = performance.now();
    let pageStart = start;
    const report = await new IdentityRebuild(this.dataSource!, this.linker!, this.initialLoad).rebuild({
      batchSize: REBUILD_PAGE,
      concurrency: this.concurrency,
      onProgress: ({ phase, done }) => {
        const now = performance.now();
        if (phase === 'initial-load') latency.record(now - pageStart);
        pageStart = now;
        if (done % 50_000 < REBUILD_PAGE || phase === 're-evaluate')
          ctx.log(`${phase}: ${done} (${Math.round(done / ((now - start) / 1000))}/s overall)`);
      },
    });
    const elapsedMs = performance.now() - start;
    const perSecond = report.linked / (elapsedMs / 1000);
    ctx.log(
      `identity:rebuild (${report.mode}): ${report.linked} Patients linked, ${report.reEvaluated} re-evaluated, ` +
        `${report.stillPossible} awaiting review, in ${(elapsedMs / 1000).toFixed(1)} s: ${Math.round(perSecond)} ` +
        `Patients/s; 1 million would take ${(1_000_000 / perSecond / 60).toFixed(1)} min (target ≤ 10)`,
    );
    this.report(
      ctx,
      `through Postgres (identity:rebuild, ${report.mode}), ${modelName(this.model, this.trained)}`,
      await this.storedOutcomes(),
      this.model,
    );
    return {
      label: `identity:rebuild on an empty index (${report.mode}; pages of ${REBUILD_PAGE}, then re-evaluation)`,
      operations: report.linked,
      unit: 'patients',
      elapsedMs,
      latency,
    };
  }

  private async storedOutcomes(): Promise<LinkedRecordOutcome[]> {
    const rows = await this.sql!<{ patient_id: string; person_id: string; state: string }[]>`
      SELECT patient_id, person_id::text, state FROM identity_link WHERE state IN ('MATCH', 'POSSIBLE_MATCH')`;
    const personNumbers = new Map<string, number>();
    const numberOf = (person: string) => {
      let n = personNumbers.get(person);
      if (n === undefined) personNumbers.set(person, (n = personNumbers.size));
      return n;
    };
    const matched = new Map<string, number>();
    const possible = new Map<string, number[]>();
    for (const row of rows)
      if (row.state === 'MATCH') matched.set(row.patient_id, numberOf(row.person_id));
      else possible.set(row.patient_id, [...(possible.get(row.patient_id) ?? []), numberOf(row.person_id)]);
    // a Patient the linker never linked (it should not happen) is a person of its own
    return this.evaluation.map((record) =>
      outcomeOf(
        record,
        matched.get(record.id) ?? numberOf(`unlinked:${record.id}`),
        possible.get(record.id) ?? [],
      ),
    );
  }

  private report(ctx: SuiteContext, title: string, outcomes: LinkedRecordOutcome[], model: MatchModel): void {
    const accuracy = linkageAccuracy(outcomes);
    const { blocking, curve } = blockingAndCurve(this.evaluation, model, accuracy.truePairs);
    process.stdout.write(
      renderAccuracy(`${title}; ${this.persons} persons, seed ${this.seed}`, accuracy, blocking, curve),
    );
    ctx.log(`accuracy reported: ${title}`);
  }

  /** In store mode, the same records linked in memory (the store's cost over the matcher's); else nothing more. */
  async reference(ctx: SuiteContext): Promise<RunResult> {
    return this.linkInMemory(ctx, this.model, 'in memory, reference', false);
  }

  async teardown(): Promise<void> {
    await this.dataSource?.destroy();
    await this.sql?.end();
    await this.dropDatabase?.();
  }
}

function* patientBatches(seed: string, persons: number): Generator<Patient[]> {
  let batch: Patient[] = [];
  for (const record of generateLabelledPopulation({ seed, persons })) {
    batch.push(record.patient);
    if (batch.length === STORE_BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** One bulk write per source system, as ingestion writes them. */
async function storeAll(store: FhirStore, patients: Patient[]): Promise<void> {
  const bySource = new Map<string, Patient[]>();
  for (const patient of patients) {
    const source = patient.meta?.source ?? 'unknown';
    bySource.set(source, [...(bySource.get(source) ?? []), patient]);
  }
  for (const [sourceSystem, group] of bySource)
    await store.upsertMany(
      group.map((resource) => ({ resource })),
      { sourceSystem },
    );
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function modelName(model: MatchModel, trained: MatchModel | undefined): string {
  return model === trained ? 'model trained on another seed' : "the linker's default model";
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

let bench: IdentityBench;

export const identitySuite: BenchSuite = {
  name: 'identity',
  description:
    'master patient index on the labelled population: accuracy against the truth, and linking throughput (in memory, or through Postgres with --store true)',
  defaultResources: 100_000,
  async prepare(ctx) {
    bench = new IdentityBench();
    await bench.prepare(ctx);
  },
  warmup: () => bench.warmup(),
  measure: (ctx) => bench.measure(ctx),
  reference: (ctx) => bench.reference(ctx),
  teardown: () => bench?.teardown(),
};
