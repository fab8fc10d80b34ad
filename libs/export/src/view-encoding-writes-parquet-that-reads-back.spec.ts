import type { ViewColumnInfo, ViewRow } from '@continuum/fhir';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { encodeViewRows, type ViewChunk } from './view-encoding';

/** Issue #16, Deliver 5: `_format=parquet`, streamed page by page, typed by the view's columns. */
describe('encodeViewRows as Parquet', () => {
  const columns: ViewColumnInfo[] = [
    { name: 'id', type: 'id', collection: false },
    { name: 'born', type: 'date', collection: false },
    { name: 'deceased', type: 'boolean', collection: false },
    { name: 'children', type: 'integer', collection: false },
    { name: 'weight', type: 'decimal', collection: false },
    { name: 'given', type: 'string', collection: true },
    { name: 'untyped', collection: false },
  ];
  const pages: ViewRow[][] = [
    [
      {
        id: 'a',
        born: '1970-01-02',
        deceased: false,
        children: 2,
        weight: 71.5,
        given: ['Ada', 'Lovelace'],
        untyped: 7,
      },
      { id: 'b', born: '1981', deceased: null, children: null, weight: null, given: [], untyped: null },
    ],
    [
      {
        id: 'c',
        born: '2001-05',
        deceased: true,
        children: 0,
        weight: 3.25,
        given: ['Zoë'],
        untyped: 'x,"y"',
      },
    ],
  ];

  async function* pagesOf(rows: ViewRow[][], closed?: { value: boolean }) {
    try {
      for (const page of rows) yield page;
    } finally {
      if (closed) closed.value = true;
    }
  }
  const bytesOf = async (chunks: AsyncIterable<ViewChunk>) => {
    const parts: Uint8Array[] = [];
    for await (const chunk of chunks) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(parts);
  };
  const readBack = (bytes: Uint8Array) => tableFromIPC(readParquet(bytes).intoIPCStream());

  it('writes a Parquet file whose rows and column types read back as the view gave them', async () => {
    const bytes = await bytesOf(encodeViewRows('parquet', columns, true, pagesOf(pages)));
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(bytes.subarray(-4).toString()).toBe('PAR1');
    const table = readBack(bytes);
    expect(table.schema.fields.map((field) => `${field.name}:${String(field.type)}`)).toEqual([
      'id:Utf8',
      'born:Utf8',
      'deceased:Bool',
      'children:Int64',
      'weight:Float64',
      'given:Utf8',
      'untyped:Utf8',
    ]);
    expect(table.toArray().map((row) => row.toJSON())).toEqual([
      {
        id: 'a',
        born: '1970-01-02',
        deceased: false,
        children: 2n,
        weight: 71.5,
        given: '["Ada","Lovelace"]',
        untyped: '7',
      },
      { id: 'b', born: '1981', deceased: null, children: null, weight: null, given: '[]', untyped: null },
      {
        id: 'c',
        born: '2001-05',
        deceased: true,
        children: 0n,
        weight: 3.25,
        given: '["Zoë"]',
        untyped: 'x,"y"',
      },
    ]);
  });

  it('gives the same bytes for the same rows, and a file with the schema and no rows for none', async () => {
    const once = await bytesOf(encodeViewRows('parquet', columns, true, pagesOf(pages)));
    const again = await bytesOf(encodeViewRows('parquet', columns, true, pagesOf(pages)));
    expect(again.equals(once)).toBe(true);
    const empty = readBack(await bytesOf(encodeViewRows('parquet', columns, true, pagesOf([]))));
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((field) => field.name)).toEqual(columns.map((column) => column.name));
  });

  it('writes row groups as they fill, reads no further ahead than the bytes are taken, and closes the rows when stopped', async () => {
    const closed = { value: false };
    const many = Array.from({ length: 200 }, (_, page) =>
      Array.from({ length: 200 }, (_, row) => ({ id: `${page}-${row}`, born: '2000-01-01' }) as ViewRow),
    );
    let pulled = 0;
    async function* counted() {
      for await (const page of pagesOf(many, closed)) {
        pulled += 1;
        yield page;
      }
    }
    for await (const chunk of encodeViewRows('parquet', columns, true, counted(), { rowGroupRows: 400 })) {
      expect(chunk.length).toBeGreaterThan(0);
      // a slow client: the encoder fills its bounded queue of row groups, then waits
      await new Promise((resolve) => setTimeout(resolve, 150));
      const queued = pulled;
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(pulled).toBe(queued);
      expect(pulled).toBeLessThan(many.length / 2);
      break;
    }
    expect(closed.value).toBe(true);
  });

  it('refuses a value that does not fit its declared column, naming the column, instead of changing it', async () => {
    const rows = [[{ id: 'a', children: 2.5 }]] as ViewRow[][];
    await expect(bytesOf(encodeViewRows('parquet', columns, true, pagesOf(rows)))).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("Column 'children' is declared Int64"),
    });
    for (const row of [{ deceased: 'yes' }, { weight: '' }, { weight: true }])
      await expect(
        bytesOf(encodeViewRows('parquet', columns, true, pagesOf([[{ id: 'a', ...row }] as ViewRow[]]))),
      ).rejects.toMatchObject({ status: 422 });
  });

  it('writes the text formats as before', async () => {
    const csv = (await bytesOf(encodeViewRows('csv', columns.slice(0, 3), true, pagesOf(pages)))).toString();
    expect(csv.split('\r\n')).toEqual([
      'id,born,deceased',
      'a,1970-01-02,false',
      'b,1981,',
      'c,2001-05,true',
      '',
    ]);
  });
});
