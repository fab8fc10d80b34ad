import type { ViewRow } from '../view-definition.types';

// The SQL on FHIR v2 test suite's format (tests.schema.json) and how a result is judged: rows compared as a
// multiset (the suite's rows are unordered), `expectColumns` as the ordered column names, `expectError` passed when
// the engine refuses the view. Pure: the runner that reads the files and drives the engines is
// scripts/sql-on-fhir-suite.ts, and each engine's spec.

export interface SuiteTest {
  title: string;
  description?: string;
  tags?: string[];
  view: unknown;
  expect?: ViewRow[];
  expectCount?: number;
  expectError?: boolean;
  expectColumns?: string[];
}

export interface SuiteFile {
  title: string;
  description?: string;
  resources: { resourceType?: string; [key: string]: unknown }[];
  tests: SuiteTest[];
}

/** What an engine answers for one view over the file's resources: rows and column names, or the error it raised. */
export type EngineOutcome = { rows: ViewRow[]; columns: string[] } | { error: Error };

export type ViewEngine = (view: unknown, file: SuiteFile) => Promise<EngineOutcome>;

export interface TestResult {
  name: string;
  result: { passed: boolean; reason?: string };
}

/** The suite's `test_report.json`: per file name, each test's name and whether it passed. */
export type TestReport = Record<string, { tests: TestResult[] }>;

/** A row as canonical JSON (keys sorted at every level), so rows compare by value. */
export function canonicalRow(row: unknown): string {
  const sortKeys = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sortKeys)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, sortKeys((value as ViewRow)[key])]),
          )
        : value;
  return JSON.stringify(sortKeys(row));
}

/** Judges one engine's outcome against a test's expectations; the reason says what differed. */
export function judge(test: SuiteTest, outcome: EngineOutcome): TestResult['result'] {
  if ('error' in outcome)
    return test.expectError ? { passed: true } : { passed: false, reason: `error: ${outcome.error.message}` };
  if (test.expectError)
    return { passed: false, reason: `expected an error, got ${outcome.rows.length} rows` };
  if (test.expectColumns && outcome.columns.join(',') !== test.expectColumns.join(','))
    return {
      passed: false,
      reason: `columns (${outcome.columns.join(', ')}), expected (${test.expectColumns.join(', ')})`,
    };
  if (test.expectCount !== undefined)
    return outcome.rows.length === test.expectCount
      ? { passed: true }
      : { passed: false, reason: `${outcome.rows.length} rows, expected ${test.expectCount}` };
  const expected = (test.expect ?? []).map(canonicalRow).sort();
  const actual = outcome.rows.map(canonicalRow).sort();
  if (expected.join('\n') === actual.join('\n')) return { passed: true };
  const missing = expected.filter((row) => !actual.includes(row));
  const extra = actual.filter((row) => !expected.includes(row));
  return {
    passed: false,
    reason: `${actual.length} rows, expected ${expected.length}; missing ${missing.slice(0, 3).join(' ') || 'none'}; unexpected ${extra.slice(0, 3).join(' ') || 'none'}`,
  };
}

/** Runs every test of a file through an engine. */
export async function runSuiteFile(file: SuiteFile, engine: ViewEngine): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const test of file.tests) {
    let outcome: EngineOutcome;
    try {
      outcome = await engine(test.view, file);
    } catch (error) {
      outcome = { error: error as Error };
    }
    results.push({ name: test.title, result: judge(test, outcome) });
  }
  return results;
}

/**
 * Two engines as one: the first's outcome, provided the second agrees (the same error or none, the same columns and
 * the same rows in the same order); otherwise an error saying where they differ.
 */
export function agreeing(first: ViewEngine, second: ViewEngine, names = ['in memory', 'SQL']): ViewEngine {
  const settle = (engine: ViewEngine, view: unknown, file: SuiteFile) =>
    engine(view, file).catch((error: Error): EngineOutcome => ({ error }));
  return async (view, file) => {
    const [a, b] = await Promise.all([settle(first, view, file), settle(second, view, file)]);
    if ('error' in a || 'error' in b) {
      if ('error' in a && 'error' in b) return a;
      const [failed, error] = 'error' in a ? [names[0], a.error] : [names[1], (b as { error: Error }).error];
      return { error: new Error(`only ${failed} failed: ${error.message}`) };
    }
    if (a.columns.join(',') !== b.columns.join(','))
      return { error: new Error(`columns differ: ${names[0]} (${a.columns}), ${names[1]} (${b.columns})`) };
    const differs = a.rows.findIndex((row, i) => canonicalRow(row) !== canonicalRow(b.rows[i]));
    if (differs >= 0 || a.rows.length !== b.rows.length)
      return {
        error: new Error(
          `rows differ at ${differs >= 0 ? differs : a.rows.length}: ${names[0]} ${canonicalRow(a.rows[differs])}, ${names[1]} ${canonicalRow(b.rows[differs])}`,
        ),
      };
    return a;
  };
}
