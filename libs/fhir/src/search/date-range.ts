/** A date, dateTime or instant as the interval it denotes: [start, end) in epoch milliseconds. */
export interface DateRange {
  start: number;
  end: number;
}

// FHIR date/dateTime/instant, plus the minute precision that search values may use (`2020-03-01T10:00`).
const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The interval a FHIR date or time denotes at its precision: `2020` is the whole year, `2020-03` the month,
 * `2020-03-01T10:00+01:00` that minute, `...:05.12` that hundredth of a second. A time without a zone, and a plain
 * date, are read as UTC (a shared care record has no single "server local" zone its clients agree on).
 * Undefined when the text is not a valid date.
 */
export function dateRange(text: string): DateRange | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = mo === undefined ? 0 : Number(mo) - 1;
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (
    year < 100 ||
    month > 11 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 60
  ) {
    return undefined;
  }
  const offsetMs = zone && zone !== 'Z' ? zoneOffsetMs(zone) : 0;
  const start = Date.UTC(year, month, day, hour, minute, second) - offsetMs;
  // The end is the start of the next unit at the precision given; Date.UTC carries over month and year ends.
  let end: number;
  if (fraction !== undefined) {
    const fractionMs = Number(`0.${fraction}`) * 1000;
    return { start: start + fractionMs, end: start + fractionMs + Math.max(10 ** (3 - fraction.length), 1) };
  } else if (s !== undefined) end = Date.UTC(year, month, day, hour, minute, second + 1);
  else if (mi !== undefined) end = Date.UTC(year, month, day, hour, minute + 1);
  else if (d !== undefined) end = Date.UTC(year, month, day + 1);
  else if (mo !== undefined) end = Date.UTC(year, month + 1, 1);
  else end = Date.UTC(year + 1, 0, 1);
  return { start, end: end - offsetMs };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

function zoneOffsetMs(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hours, minutes] = zone.slice(1).split(':').map(Number);
  return sign * (hours * 60 + minutes) * 60_000;
}

/** Open ends of Periods (no start, no end) are stored as the infinite timestamps Postgres knows. */
export const OPEN_START = -Infinity;
export const OPEN_END = Infinity;
