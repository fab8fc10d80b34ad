import { randomUUID } from 'node:crypto';
import type { Bundle } from 'fhir/r4';

/**
 * A copy of a transaction bundle under fresh ids: every `urn:uuid:` fullUrl gets a new uuid, and the same new uuid
 * replaces it wherever the bundle names it (fullUrl, the resource's id, every reference, anywhere in the text), so the
 * copy is self-consistent and shares no id with the original or any other copy. Done on the JSON text, so nothing
 * that names an entry can be missed.
 */
export function freshCopy(bundleJson: string, newId: () => string = randomUUID): string {
  const bundle = JSON.parse(bundleJson) as Bundle;
  const renamed = new Map<string, string>();
  for (const entry of bundle.entry ?? []) {
    const uuid = /^urn:uuid:([0-9a-f-]{36})$/i.exec(entry.fullUrl ?? '')?.[1];
    if (uuid) renamed.set(uuid.toLowerCase(), newId());
  }
  if (renamed.size === 0) return bundleJson;
  const pattern = new RegExp([...renamed.keys()].join('|'), 'gi');
  return bundleJson.replace(pattern, (uuid) => renamed.get(uuid.toLowerCase()) as string);
}

/** `Type/id` of a transaction-response entry's location (`[base/]Type/id/_history/n`), whatever the server's base. */
export function createdReference(location: string | undefined): string | undefined {
  const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})\/_history\/[^/]+$/.exec(location ?? '');
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** One scenario's figure: a range of runs as issue #15 quotes them (`lo–hi`), or one measured value. */
export type Figure = number | [number, number];

export interface Scenario {
  name: string;
  unit: 'resources/s' | 'ms';
  /** p50 then p95 for latencies; one throughput otherwise. */
  hapi?: Figure[];
  atFiling?: Figure[];
  target?: { p95AtMost?: number; atLeast?: number; text: string };
}

/**
 * HAPI FHIR JPA 8.8.0, from issue #15, not measured by this run: the issue's side-by-side on this machine kind
 * (warm JVM, 4 runs; same Postgres, same workload). Beside them, Continuum's figures when the issue was filed
 * (2 runs each), and the issue's targets.
 */
export const ISSUE_15_SCENARIOS: Record<string, Scenario> = {
  httpIngest: {
    name: 'ingest, HTTP transaction bundles (2 clients)',
    unit: 'resources/s',
    hapi: [[526, 696]],
    atFiling: [[168, 179]],
    target: { atLeast: 2000, text: '≥ 2,000 resources/s' },
  },
  kafkaIngest: {
    name: 'ingest, Kafka fhir.inbound → committed',
    unit: 'resources/s',
    atFiling: [[343, 449]],
    target: { atLeast: 3000, text: '≥ 3,000 resources/s' },
  },
  read: {
    name: 'read by id p50 / p95',
    unit: 'ms',
    hapi: [
      [3.5, 4.1],
      [9.2, 10.3],
    ],
    atFiling: [
      [4.6, 5.9],
      [11.1, 14.7],
    ],
    target: { p95AtMost: 2, text: 'p95 ≤ 2 ms' },
  },
  everything: {
    name: '`Patient/$everything?_count=1000` p50 / p95',
    unit: 'ms',
    hapi: [
      [63, 73],
      [99, 119],
    ],
    atFiling: [
      [39, 46],
      [62, 88],
    ],
    target: { p95AtMost: 30, text: 'p95 ≤ 30 ms' },
  },
  tokenSearch: {
    // the pipe escaped: the table is Markdown, where a bare one would split the cell
    name: '`Observation?code=http://loinc.org\\|29463-7&_count=20` p50 / p95',
    unit: 'ms',
    hapi: [
      [18, 20],
      [31, 43],
    ],
    atFiling: [
      [16, 18],
      [29, 42],
    ],
    target: { p95AtMost: 20, text: 'p95 ≤ 20 ms' },
  },
};

export interface Measured {
  scenario: Scenario;
  /** [throughput] or [p50, p95]; undefined when this run did not measure it. */
  values?: number[];
}

/** Met when the measured figure is on the right side of the target; '—' when there is no figure or no target. */
export function verdict({ scenario, values }: Measured): 'met' | 'not met' | '—' {
  const { target } = scenario;
  if (!values || !target) return '—';
  if (target.atLeast !== undefined) return values[0] >= target.atLeast ? 'met' : 'not met';
  if (target.p95AtMost !== undefined) return values[1] <= target.p95AtMost ? 'met' : 'not met';
  return '—';
}

const formatOne = (value: number, unit: Scenario['unit']) =>
  unit === 'ms' && !Number.isInteger(value) && value < 100
    ? value.toFixed(1)
    : Math.round(value).toLocaleString('en-GB');
const formatFigure = (figure: Figure, unit: Scenario['unit']) =>
  Array.isArray(figure)
    ? `${formatOne(figure[0], unit)}–${formatOne(figure[1], unit)}`
    : formatOne(figure, unit);
const formatFigures = (figures: Figure[] | undefined, unit: Scenario['unit']) =>
  figures
    ? `${figures.map((figure) => formatFigure(figure, unit)).join(' / ')}${unit === 'ms' ? ' ms' : ''}`
    : '—';

/** The side-by-side table, in Markdown (it is pasted into docs as it is printed). */
export function sideBySideTable(rows: Measured[], server: string): string {
  const lines = [
    `| scenario | ${server}, this run | HAPI FHIR JPA 8.8.0, from issue #15, not measured by this run | Continuum when issue #15 was filed | target (issue #15) | |`,
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.scenario.name} | ${row.values ? `**${formatFigures(row.values, row.scenario.unit)}**` : 'not run'} | ` +
        `${formatFigures(row.scenario.hapi, row.scenario.unit)} | ${formatFigures(row.scenario.atFiling, row.scenario.unit)} | ` +
        `${row.scenario.target?.text ?? '—'} | ${verdict(row)} |`,
    ),
  ];
  return lines.join('\n');
}
