import type postgres from 'postgres';
import type { Resource } from 'fhir/r4';
import { canonicalRow, ViewEvaluator, type ViewRow } from '@continuum/fhir';
import { createSql, runViewSql, scratchResources, type ScratchResources } from '@continuum/store';
import { communityLines } from '../measure/community-data';
import type { BenchSuite, RunResult, SuiteContext } from '../suite';
import { REFERENCE_VIEWS } from '@continuum/fhir/sql-on-fhir/testing/reference-views';
import { encodeViewRows } from '@continuum/export';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let resources: Resource[] = [];
let sql: postgres.Sql | undefined;
let scratch: ScratchResources | undefined;
/** Each view's rows from the in-memory run, compared with the SQL run's after it is timed. */
const inMemoryRows = new Map<string, ViewRow[]>();

/** Rows of each reference view, by one engine; logs rows/s per view, and checks both engines give the same rows. */
async function runViews(
  ctx: SuiteContext,
  label: string,
  rowsOf: (view: (typeof REFERENCE_VIEWS)[number]) => Promise<ViewRow[]>,
  check?: (view: (typeof REFERENCE_VIEWS)[number], rows: ViewRow[]) => void,
): Promise<RunResult> {
  let total = 0;
  let elapsedMs = 0;
  for (const view of REFERENCE_VIEWS) {
    const before = performance.now();
    const found = await rowsOf(view);
    const ms = performance.now() - before;
    elapsedMs += ms;
    check?.(view, found);
    const rows = found.length;
    ctx.log(
      `${label} ${view.name}: ${rows} rows in ${ms.toFixed(0)} ms, ${Math.round(rows / (ms / 1000))} rows/s`,
    );
    total += rows;
  }
  return { label, operations: total, unit: 'rows', elapsedMs };
}

/** Rows in pages, as a run hands them to its encoder. */
async function* pagesOf(rows: ViewRow[], size: number): AsyncGenerator<ViewRow[]> {
  for (let at = 0; at < rows.length; at += size) yield rows.slice(at, at + size);
}

/** Logs each view's rows written as CSV and as Parquet: rows/s and bytes (what each format costs, past the view). */
async function logEncodings(ctx: SuiteContext): Promise<void> {
  for (const view of REFERENCE_VIEWS) {
    const rows = inMemoryRows.get(view.name ?? '') ?? [];
    const { columns } = new ViewEvaluator(view);
    for (const format of ['csv', 'parquet'] as const) {
      const before = performance.now();
      let bytes = 0;
      for await (const chunk of encodeViewRows(format, columns, true, pagesOf(rows, 500)))
        bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      const ms = performance.now() - before;
      ctx.log(
        `${format} ${view.name}: ${rows.length} rows in ${ms.toFixed(0)} ms, ${Math.round(rows.length / (ms / 1000))} rows/s, ${(bytes / 1e6).toFixed(2)} MB`,
      );
    }
  }
}

/**
 * SQL on FHIR v2: the three reference views (patient demographics; observations flat, one row per coding and
 * component; encounters) over the generator's community. Measured: the in-memory evaluator over the resources
 * already in memory. Reference: the same views compiled to Postgres SQL over a scratch table of the same resources
 * (`BENCH_DATABASE_URL`, default the local postgres database), rows streamed through a cursor. Each view's rows
 * must be the same, in the same order, from both engines (compared after the timed runs). Then, untimed in the
 * table, each view's rows written as CSV and as Parquet (logged).
 */
export const viewsSuite: BenchSuite = {
  name: 'views',
  description: 'SQL on FHIR view rows/s: in-memory evaluator vs compiled Postgres SQL (the reference)',
  defaultResources: 20_000,

  async prepare(ctx) {
    resources = [...communityLines(ctx.options.extra['seed'] ?? 'bench-views', ctx.options.resources)].map(
      (line) => JSON.parse(line) as Resource,
    );
    const counts = new Map<string, number>();
    resources.forEach((resource) =>
      counts.set(resource.resourceType, (counts.get(resource.resourceType) ?? 0) + 1),
    );
    ctx.log(
      `${resources.length} resources: ${['Patient', 'Observation', 'Encounter'].map((type) => `${counts.get(type) ?? 0} ${type}`).join(', ')}`,
    );
    sql = createSql({
      url: DATABASE_URL,
      poolSize: 2,
      statementTimeoutMs: 600_000,
      idleInTransactionTimeoutMs: 600_000,
    });
    scratch = await scratchResources(sql, `bench_views_${Date.now().toString(36)}`);
    await scratch.replace(resources);
    const [{ pid }] = await sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    ctx.memory.watch('postgres backend', pid);
  },

  async warmup() {
    for (const view of REFERENCE_VIEWS) new ViewEvaluator(view).rows(resources[0]);
  },

  async measure(ctx) {
    return runViews(
      ctx,
      'in memory',
      async (view) => {
        const evaluator = new ViewEvaluator(view);
        const rows: ViewRow[] = [];
        for (const resource of resources) for (const row of evaluator.rows(resource)) rows.push(row);
        return rows;
      },
      (view, rows) => inMemoryRows.set(view.name ?? '', rows),
    );
  },

  async reference(ctx) {
    const database = sql as postgres.Sql;
    const source = (scratch as ScratchResources).source;
    return runViews(
      ctx,
      'compiled SQL',
      async (view) => {
        const rows: ViewRow[] = [];
        for await (const page of runViewSql(database, view, source, 2000))
          for (const row of page) rows.push(row);
        return rows;
      },
      (view, rows) => {
        const expected = inMemoryRows.get(view.name ?? '') ?? [];
        if (rows.length !== expected.length)
          throw new Error(`${view.name}: ${rows.length} rows in SQL, ${expected.length} in memory`);
        const differs = rows.findIndex((row, i) => canonicalRow(row) !== canonicalRow(expected[i]));
        if (differs >= 0) throw new Error(`${view.name}: row ${differs} differs between the engines`);
      },
    );
  },

  async teardown(ctx) {
    await logEncodings(ctx);
    await scratch?.drop();
    await sql?.end({ timeout: 5 });
  },
};
