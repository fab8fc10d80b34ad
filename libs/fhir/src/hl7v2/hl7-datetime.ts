/**
 * HL7 v2 TS/DTM values (YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]) as FHIR date and dateTime. FHIR requires a time
 * zone whenever a time is given; NHS feeds mostly send local time without one, so the sender's time zone (Europe/London
 * unless told otherwise) is applied, with British Summer Time where it was in force on that day.
 */

export const DEFAULT_HL7_TIME_ZONE = 'Europe/London';

const TIMESTAMP = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/;

export interface Hl7Timestamp {
  /** YYYY, YYYY-MM or YYYY-MM-DD: the date part at the precision sent. */
  date: string;
  /** A FHIR dateTime: the date alone when no time was sent, otherwise with seconds and a time zone offset. */
  dateTime: string;
  /** True when a time of day was sent (a FHIR instant can be made from dateTime). */
  hasTime: boolean;
}

/** undefined for an empty value; 'invalid' for text that is not a real date and time. */
export function parseHl7Timestamp(
  raw: string,
  timeZone = DEFAULT_HL7_TIME_ZONE,
): Hl7Timestamp | undefined | 'invalid' {
  const text = raw.trim();
  if (text === '') return undefined;
  const match = TIMESTAMP.exec(text);
  if (!match) return 'invalid';
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const y = Number(year);
  if (month !== undefined && (Number(month) < 1 || Number(month) > 12)) return 'invalid';
  if (day !== undefined && (Number(day) < 1 || Number(day) > daysInMonth(y, Number(month)))) return 'invalid';
  if (hour !== undefined && Number(hour) > 23) return 'invalid';
  if (minute !== undefined && Number(minute) > 59) return 'invalid';
  if (second !== undefined && Number(second) > 59) return 'invalid';
  if (offset !== undefined && (Number(offset.slice(1, 3)) > 14 || Number(offset.slice(3)) > 59))
    return 'invalid';

  const date = [year, month, day].filter((part) => part !== undefined).join('-');
  if (hour === undefined) return { date, dateTime: date, hasTime: false };
  if (day === undefined) return 'invalid';

  const time = `${hour}:${minute ?? '00'}:${second ?? '00'}${fraction ? `.${fraction}` : ''}`;
  const zone = offset
    ? `${offset.slice(0, 3)}:${offset.slice(3)}`
    : formatOffset(
        offsetMinutesAt(
          Date.UTC(y, Number(month) - 1, Number(day), Number(hour), Number(minute ?? 0)),
          timeZone,
        ),
      );
  return { date, dateTime: `${date}T${time}${zone}`, hasTime: true };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The UTC offset, in minutes, of wall-clock time `wallClockAsUtc` (the local time read as if it were UTC) in `timeZone`. */
function offsetMinutesAt(wallClockAsUtc: number, timeZone: string): number {
  const first = zoneOffset(wallClockAsUtc, timeZone);
  const second = zoneOffset(wallClockAsUtc - first * 60_000, timeZone);
  return second;
}

function zoneOffset(utcMillis: number, timeZone: string): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(
    formatter.formatToParts(new Date(utcMillis)).map((part) => [part.type, part.value]),
  );
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
  );
  return Math.round((local - Math.floor(utcMillis / 60_000) * 60_000) / 60_000);
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}
