import { parseHl7Timestamp } from './hl7-datetime';

describe('HL7 v2 timestamps as FHIR dates and dateTimes', () => {
  it.each([
    ['2024', '2024', '2024'],
    ['202403', '2024-03', '2024-03'],
    ['20240330', '2024-03-30', '2024-03-30'],
    ['202403301015', '2024-03-30', '2024-03-30T10:15:00+00:00'], // GMT, the day before the clocks change
    ['202403311015', '2024-03-31', '2024-03-31T10:15:00+01:00'], // BST from 01:00 UTC on 31 March 2024
    ['20241027003000', '2024-10-27', '2024-10-27T00:30:00+01:00'],
    ['20241027030000', '2024-10-27', '2024-10-27T03:00:00+00:00'],
    ['2024033010', '2024-03-30', '2024-03-30T10:00:00+00:00'],
    ['20240330101530.25', '2024-03-30', '2024-03-30T10:15:30.25+00:00'],
    ['20190514102527+0200', '2019-05-14', '2019-05-14T10:25:27+02:00'],
    ['196512131515', '1965-12-13', '1965-12-13T15:15:00+00:00'],
  ])('%s', (raw, date, dateTime) => {
    expect(parseHl7Timestamp(raw)).toMatchObject({ date, dateTime });
  });

  it('applies the sender time zone when told', () => {
    expect(parseHl7Timestamp('202007011200', 'America/Toronto')).toMatchObject({
      dateTime: '2020-07-01T12:00:00-04:00',
    });
  });

  it('returns undefined for nothing and invalid for impossible dates', () => {
    expect(parseHl7Timestamp('')).toBeUndefined();
    for (const raw of [
      '196513121515',
      '20230229',
      '20240230',
      '202403302515',
      'yesterday',
      '2024-03-30',
      '20240330+2500',
    ]) {
      expect(parseHl7Timestamp(raw)).toBe('invalid');
    }
  });
});
