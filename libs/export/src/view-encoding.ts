import {
  unprocessable,
  type ViewColumnInfo,
  type ViewOutputFormat,
  type ViewRow,
  ViewRowWriter,
  type ViewTextFormat,
} from '@continuum/fhir';
import {
  Bool,
  type DataType,
  Field,
  Float64,
  Int64,
  Schema,
  Table as ArrowTable,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import {
  Compression,
  Table as ParquetTable,
  transformParquetStream,
  WriterPropertiesBuilder,
} from 'parquet-wasm';

/** A chunk of a view's output: text for CSV, NDJSON and JSON, bytes for Parquet. */
export type ViewChunk = string | Uint8Array;

/**
 * A view's rows, page by page, encoded in an output format as chunks that can be written as they come: text through
 * `ViewRowWriter` (libs/fhir), or Parquet. Memory holds a page (and, for Parquet, the row group being encoded)
 * whatever the result's size.
 */
export function encodeViewRows(
  format: ViewOutputFormat,
  columns: ViewColumnInfo[],
  header: boolean,
  pages: AsyncIterable<ViewRow[]>,
  options: { rowGroupRows?: number } = {},
): AsyncIterable<ViewChunk> {
  return format === 'parquet'
    ? parquetChunks(columns, pages, options.rowGroupRows ?? ROW_GROUP_ROWS)
    : textChunks(format, columns, header, pages);
}

async function* textChunks(
  format: ViewTextFormat,
  columns: ViewColumnInfo[],
  header: boolean,
  pages: AsyncIterable<ViewRow[]>,
): AsyncIterable<ViewChunk> {
  const writer = new ViewRowWriter(
    format,
    columns.map((column) => column.name),
    header,
  );
  yield writer.start();
  for await (const page of pages) yield writer.rows(page);
  yield writer.end();
}

// Parquet through parquet-wasm (the Rust `parquet` crate of the Apache Arrow project, compiled to WebAssembly), each
// page a record batch built with apache-arrow (the Arrow project's JavaScript library), in row groups of
// ROW_GROUP_ROWS rows (ZSTD): the writer holds a row group until it is full, so that bounds its memory, and each full
// row group leaves as bytes. Column types from the view: boolean → BOOLEAN; integer types → INT64; decimal → DOUBLE; everything
// else, dates and times included (FHIR dates may be partial, `2024` or `2024-05`), → UTF8 as the text formats write
// it; a collection column → its JSON text. Null stays null.

const ROW_GROUP_ROWS = 10_000;
const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const INTEGER_TYPES = new Set(['integer', 'integer64', 'positiveInt', 'unsignedInt']);

function arrowTypeOf(column: ViewColumnInfo): DataType {
  if (column.collection) return new Utf8();
  if (column.type === 'boolean') return new Bool();
  if (column.type && INTEGER_TYPES.has(column.type)) return new Int64();
  if (column.type === 'decimal') return new Float64();
  return new Utf8();
}

/**
 * A row's value as its Arrow column takes it. A value that does not fit the column's declared type (a view whose
 * `integer` column gives 2.5) is the view's error, named, not a number silently changed.
 */
function cellOf(value: unknown, field: Field): unknown {
  const { type } = field;
  if (value === null || value === undefined) return null;
  if (type instanceof Bool) {
    if (typeof value === 'boolean') return value;
  } else if (type instanceof Int64) {
    if (
      typeof value === 'number'
        ? Number.isSafeInteger(value)
        : typeof value === 'string' && /^-?\d+$/.test(value)
    )
      return BigInt(value as number | string);
  } else if (type instanceof Float64) {
    if (typeof value === 'number' ? Number.isFinite(value) : DECIMAL.test(String(value)))
      return Number(value);
  } else return typeof value === 'object' ? JSON.stringify(value) : String(value);
  throw unprocessable([
    {
      code: 'value',
      diagnostics: `Column '${field.name}' is declared ${String(type)} for Parquet, but a row has ${JSON.stringify(value)}`,
      expression: [field.name],
    },
  ]);
}

async function* parquetChunks(
  columns: ViewColumnInfo[],
  pages: AsyncIterable<ViewRow[]>,
  rowGroupRows: number,
): AsyncIterable<ViewChunk> {
  const schema = new Schema(columns.map((column) => new Field(column.name, arrowTypeOf(column), true)));
  const source = pages[Symbol.asyncIterator]();
  let batches = 0;
  let failure: unknown;
  const enqueue = (controller: ReadableStreamDefaultController, rows: ViewRow[]) => {
    const vectors = Object.fromEntries(
      schema.fields.map((field) => [
        field.name,
        vectorFromArray(
          rows.map((row) => cellOf(row[field.name], field)),
          field.type,
        ),
      ]),
    );
    const encoded = ParquetTable.fromIPCStream(tableToIPC(new ArrowTable(schema, vectors), 'stream'));
    for (const batch of encoded.recordBatches()) controller.enqueue(batch);
    batches += 1;
  };
  const recordBatches = new ReadableStream({
    // pulled as the encoder wants the next batch: the rows are read no faster than the bytes are taken
    async pull(controller) {
      try {
        const next = await source.next();
        if (next.done) {
          // an empty result is still a file with the view's schema
          if (batches === 0) enqueue(controller, []);
          controller.close();
          return;
        }
        if (next.value.length) enqueue(controller, next.value);
      } catch (error) {
        failure = error;
        throw error;
      }
    },
    async cancel() {
      await source.return?.();
    },
  });
  const properties = new WriterPropertiesBuilder()
    .setCompression(Compression.ZSTD)
    .setMaxRowGroupSize(rowGroupRows)
    .build();
  // the encoder reports a failed input in its own words ("Dyn casting error"): the rows' error is the one to pass on
  const theRowsError = (error: unknown) => {
    throw failure ?? error;
  };
  const bytes = (await transformParquetStream(recordBatches, properties).catch(
    theRowsError,
  )) as ReadableStream<Uint8Array>;
  const reader = bytes.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read().catch(theRowsError);
      if (done) return;
      yield value;
    }
  } finally {
    // a consumer that stops early (a client gone) stops the encoder and the rows (which gives back their connection)
    await reader.cancel().catch(() => undefined);
    await source.return?.(undefined).catch(() => undefined);
  }
}
