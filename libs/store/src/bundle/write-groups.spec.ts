import type { ParsedEntry } from './bundle-entry.parser';
import { writeGroups } from './transaction.processor';

const post = (index: number, id: string, extra: Partial<ParsedEntry> = {}): ParsedEntry => ({
  index,
  method: 'POST',
  resourceType: 'Observation',
  id,
  resource: { resourceType: 'Observation' } as ParsedEntry['resource'],
  ...extra,
});
const put = (index: number, id: string, extra: Partial<ParsedEntry> = {}): ParsedEntry => ({
  index,
  method: 'PUT',
  resourceType: 'Patient',
  id,
  resource: { resourceType: 'Patient', id } as ParsedEntry['resource'],
  ...extra,
});
const indexes = (groups: ParsedEntry[][]) => groups.map((group) => group.map((entry) => entry.index));

describe('writeGroups: which transaction entries are written together', () => {
  it('puts a run of plain creates and updates in one group', () => {
    expect(indexes(writeGroups([post(0, 'a'), post(1, 'b'), put(2, 'p')]))).toEqual([[0, 1, 2]]);
  });

  it('runs conditional, If-Match, PATCH and read entries alone, cutting the runs around them', () => {
    const entries = [
      post(0, 'a'),
      post(1, 'b', { ifNoneExist: 'identifier=x|1' }),
      put(2, 'p', { ifMatch: 'W/"1"' }),
      put(3, 'q', { criteria: 'identifier=x|2' }),
      post(4, 'c'),
      post(5, 'd'),
      { index: 6, method: 'PATCH', resourceType: 'Patient', id: 'p', patch: [] } as ParsedEntry,
      { index: 7, method: 'GET', resourceType: 'Patient', id: 'p' } as ParsedEntry,
    ];
    expect(indexes(writeGroups(entries))).toEqual([[0], [1], [2], [3], [4, 5], [6], [7]]);
  });

  it('starts a new group when a resource comes again, so one statement never writes a row twice', () => {
    expect(indexes(writeGroups([put(0, 'p'), put(1, 'q'), put(2, 'p'), put(3, 'r')]))).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });
});
