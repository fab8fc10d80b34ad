import { ViewRowWriter, viewOutputFormat } from './view-output';

describe('view rows written out', () => {
  const rows = [
    { id: 'p1', note: 'a "quoted", value', given: ['Ada', 'Bo'], active: true, born: '1970-01-02' },
    { id: 'p2', note: 'two\nlines', given: [], active: null, born: null },
  ];
  const columns = ['id', 'note', 'given', 'active', 'born'];
  const write = (writer: ViewRowWriter) =>
    writer.start() + writer.rows(rows.slice(0, 1)) + writer.rows(rows.slice(1)) + writer.end();

  it('as RFC 4180 CSV: CRLF, quotes doubled, fields with commas or breaks quoted, null empty', () => {
    expect(write(new ViewRowWriter('csv', columns))).toBe(
      'id,note,given,active,born\r\np1,"a ""quoted"", value","[""Ada"",""Bo""]",true,1970-01-02\r\np2,"two\nlines",[],,\r\n',
    );
  });

  it('as CSV without the header row when header is false', () => {
    expect(new ViewRowWriter('csv', ['id'], false).start()).toBe('');
  });

  it('as NDJSON and as a JSON array, columns in view order', () => {
    expect(
      write(new ViewRowWriter('ndjson', ['id', 'active']))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { id: 'p1', active: true },
      { id: 'p2', active: null },
    ]);
    expect(JSON.parse(write(new ViewRowWriter('json', ['id'])))).toEqual([{ id: 'p1' }, { id: 'p2' }]);
    expect(
      JSON.parse(new ViewRowWriter('json', ['id']).start() + new ViewRowWriter('json', ['id']).end()),
    ).toEqual([]);
  });

  it('knows the _format names it writes', () => {
    expect(
      [undefined, 'csv', 'text/csv', 'ndjson', 'application/x-ndjson', 'json', 'xml'].map(viewOutputFormat),
    ).toEqual(['json', 'csv', 'csv', 'ndjson', 'ndjson', 'json', undefined]);
  });
});
