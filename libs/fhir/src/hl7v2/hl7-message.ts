import { Hl7Message, type Hl7Segment } from '@medplum/core';
import type { Problem } from '../operation-outcome';

/**
 * Reading HL7 v2 with @medplum/core's parser. medplum splits segments, fields, repetitions and components; it
 * leaves escape sequences and subcomponents as they are, so every value read here goes through `unescape`.
 */

const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;
const MAX_LISTED_LINES = 5;
/** MLLP start (VT) and end (FS) bytes. */
const MLLP_FRAMING = new RegExp(`[${String.fromCharCode(0x0b)}${String.fromCharCode(0x1c)}]`, 'g');

/** CR, LF and CRLF all end segments in real feeds; MLLP framing bytes and a BOM come along when a file is saved from a socket. */
export function normaliseHl7Text(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(MLLP_FRAMING, '')
    .replace(/\r\n|\n/g, '\r')
    .split('\r')
    .filter((line) => line.trim() !== '')
    .join('\r')
    .trimStart();
}

export type ParsedHl7 = { ok: true; message: Hl7Message } | { ok: false; problems: Problem[] };

/**
 * Parses after checking what medplum does not: MSH first, sane encoding characters, every line a segment. A message
 * copied out of a PDF or an e-mail has segments broken across lines; medplum would read the pieces as segments
 * with made-up names, so such text is refused here with the line numbers instead.
 */
export function parseHl7(text: string): ParsedHl7 {
  const normalised = normaliseHl7Text(text);
  const lines = normalised.split('\r');
  const headerProblems = mshProblems(lines);
  if (headerProblems) return { ok: false, problems: headerProblems };
  const fieldSeparator = normalised[3];
  const encoding = lines[0].slice(4).split(fieldSeparator ?? '|')[0] ?? '';
  const problems: Problem[] = [];
  if (
    !fieldSeparator ||
    /[A-Za-z0-9\s]/.test(fieldSeparator) ||
    !validEncodingCharacters(encoding, fieldSeparator)
  ) {
    problems.push({
      code: 'structure',
      diagnostics: `MSH-2 encoding characters '${encoding}' are not four distinct separators (expected e.g. ^~\\&): the MSH segment is truncated or wrapped`,
      expression: ['MSH-2'],
    });
  }
  const broken = lines
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(
      ({ line }) => !SEGMENT_ID.test(line.slice(0, 3)) || (line.length > 3 && line[3] !== fieldSeparator),
    );
  if (broken.length > 0) {
    const listed = broken
      .slice(0, MAX_LISTED_LINES)
      .map(({ number }) => number)
      .join(', ');
    problems.push({
      code: 'structure',
      diagnostics: `${broken.length} line(s) do not start with a segment id (lines ${listed}${broken.length > MAX_LISTED_LINES ? ', ...' : ''}): segments appear to be wrapped across lines`,
      expression: broken.slice(0, MAX_LISTED_LINES).map(({ number }) => `line ${number}`),
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  try {
    return { ok: true, message: Hl7Message.parse(normalised) };
  } catch (error) {
    return unparseable(`The HL7 parser refused the message: ${(error as Error).message}`, 'MSH');
  }
}

export type Hl7ControlId = { ok: true; messageId?: string } | { ok: false; problems: Problem[] };

/**
 * MSH-10 from the header line alone: the ledger needs the message id before mapping. A text without an MSH
 * segment first has no id to read because it is not HL7 v2 at all, and is refused as unparseable with that reason.
 */
export function readHl7ControlId(text: string): Hl7ControlId {
  const lines = normaliseHl7Text(text).split('\r');
  const problems = mshProblems(lines);
  if (problems) return { ok: false, problems };
  const header = lines[0];
  return { ok: true, messageId: header.split(header[3] ?? '|')[9]?.trim() || undefined };
}

function mshProblems(lines: string[]): Problem[] | undefined {
  if (lines[0].startsWith('MSH')) return undefined;
  const mshLine = lines.findIndex((line) => line.startsWith('MSH'));
  const diagnostics =
    mshLine < 0
      ? 'not an HL7 v2 message: no MSH segment'
      : `the MSH segment is not the first line (it is line ${mshLine + 1}): text precedes the message`;
  return [{ code: 'structure', diagnostics, expression: ['MSH'] }];
}

function validEncodingCharacters(encoding: string, fieldSeparator: string): boolean {
  // 2.7+ adds a fifth (truncation) character; earlier versions have exactly four
  if (encoding.length !== 4 && encoding.length !== 5) return false;
  const all = [fieldSeparator, ...encoding];
  return new Set(all).size === all.length && !all.some((char) => /[A-Za-z0-9\s]/.test(char));
}

function unparseable(diagnostics: string, expression: string): ParsedHl7 {
  return { ok: false, problems: [{ code: 'structure', diagnostics, expression: [expression] }] };
}

/** One repetition of a field: components (1-based) and their subcomponents (1-based), unescaped. */
export interface Hl7Repetition {
  /** Component `index`, or its subcomponent `sub`; '' when absent. */
  get(index: number, sub?: number): string;
  /** The whole repetition, components rejoined with the component separator, unescaped (free text may hold '^'). */
  readonly text: string;
  /** True when every component is empty. */
  readonly empty: boolean;
}

/** Every non-empty repetition of field `field` (1-based, as in `PID-3`). */
export function repetitions(segment: Hl7Segment, field: number): Hl7Repetition[] {
  const hl7Field = segment.getField(field);
  if (!hl7Field) return [];
  const { subcomponentSeparator, escapeCharacter } = segment.context;
  return hl7Field.components
    .map((components): Hl7Repetition => {
      const get = (index: number, sub?: number): string => {
        const raw = components[index - 1] ?? '';
        const part =
          sub === undefined ? raw.split(subcomponentSeparator)[0] : raw.split(subcomponentSeparator)[sub - 1];
        return unescape(part ?? '', segment, escapeCharacter).trim();
      };
      const text = unescape(
        components.join(segment.context.componentSeparator),
        segment,
        escapeCharacter,
      ).trim();
      return { get, text, empty: components.every((component) => component.trim() === '') };
    })
    .filter((repetition) => !repetition.empty);
}

/** The first repetition of a field; an empty one when the field is absent. */
export function first(segment: Hl7Segment, field: number): Hl7Repetition {
  return repetitions(segment, field)[0] ?? EMPTY;
}

/** Shortcut: component `component` of the first repetition of `field`. */
export function value(segment: Hl7Segment, field: number, component = 1): string {
  return first(segment, field).get(component);
}

const EMPTY: Hl7Repetition = { get: () => '', text: '', empty: true };

/**
 * HL7 escape sequences (\F\ \S\ \T\ \R\ \E\, hex, line breaks). Formatting commands other than a line break carry
 * no text, so they are dropped. The HL7 null value "" means "delete this value" to HL7; here it reads as empty.
 */
function unescape(text: string, segment: Hl7Segment, escape: string): string {
  if (text === '""') return '';
  if (!text.includes(escape)) return text;
  const { fieldSeparator, componentSeparator, repetitionSeparator, subcomponentSeparator } = segment.context;
  const pattern = new RegExp(
    `${escapeRegExp(escape)}([^${escapeRegExp(escape)}]*)${escapeRegExp(escape)}`,
    'g',
  );
  return text.replace(pattern, (_match, sequence: string) => {
    switch (sequence) {
      case 'F':
        return fieldSeparator;
      case 'S':
        return componentSeparator;
      case 'T':
        return subcomponentSeparator;
      case 'R':
        return repetitionSeparator;
      case 'E':
        return escape;
      case '.br':
        return '\n';
      default:
        if (/^X[0-9A-Fa-f]+$/.test(sequence) && sequence.length % 2 === 1) {
          return Buffer.from(sequence.slice(1), 'hex').toString('latin1');
        }
        return '';
    }
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
