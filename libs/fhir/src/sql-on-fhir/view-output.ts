import type { ViewRow } from './view-definition.types';

// How view rows are written out: CSV (RFC 4180: CRLF line ends, a field quoted when it holds a quote, a comma or a
// line break, quotes doubled; UTF-8; null as an empty field; dates as the ISO 8601 strings FHIR stores; a collection
// as its JSON), NDJSON (one JSON object per line) and a JSON array. Each writer is a sequence of text chunks, so a
// response or a file can be written as the rows come. Parquet, a binary format, is encoded where its library is
// (libs/export, view-encoding.ts); this module names it among the formats.

export type ViewOutputFormat = 'csv' | 'ndjson' | 'json' | 'parquet';
export type ViewTextFormat = Exclude<ViewOutputFormat, 'parquet'>;

const FORMAT_ALIASES: Record<string, ViewOutputFormat> = {
  csv: 'csv',
  'text/csv': 'csv',
  ndjson: 'ndjson',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/fhir+ndjson': 'ndjson',
  json: 'json',
  'application/json': 'json',
  'application/fhir+json': 'json',
  parquet: 'parquet',
  'application/vnd.apache.parquet': 'parquet',
};

export const VIEW_MEDIA_TYPES: Record<ViewOutputFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/** The formats, as a refusal names them. */
export const VIEW_OUTPUT_FORMATS = Object.keys(VIEW_MEDIA_TYPES).join(', ');

/** The output format a `_format` value names, or undefined when it names none we write. */
export function viewOutputFormat(value: string | undefined): ViewOutputFormat | undefined {
  return value === undefined ? 'json' : FORMAT_ALIASES[value.toLowerCase()];
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes rows as text in one format; `start`, then `rows` for each batch, then `end`. */
export class ViewRowWriter {
  private written = 0;

  constructor(
    private readonly format: ViewTextFormat,
    private readonly columns: string[],
    private readonly header = true,
  ) {}

  start(): string {
    if (this.format === 'csv') return this.header ? `${this.columns.map(csvField).join(',')}\r\n` : '';
    return this.format === 'json' ? '[' : '';
  }

  rows(rows: ViewRow[]): string {
    const lines = rows.map((row) => {
      const ordered = this.columns.map((column) => row[column] ?? null);
      if (this.format === 'csv') return `${ordered.map(csvField).join(',')}\r\n`;
      const object = JSON.stringify(
        Object.fromEntries(this.columns.map((column, i) => [column, ordered[i]])),
      );
      return this.format === 'ndjson' ? `${object}\n` : `${this.written++ ? ',' : ''}\n${object}`;
    });
    return lines.join('');
  }

  end(): string {
    return this.format === 'json' ? (this.written ? '\n]\n' : ']\n') : '';
  }
}
