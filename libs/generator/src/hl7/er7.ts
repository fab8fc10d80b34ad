/** HL7 v2 ER7 encoding: the default delimiters |^~\& and carriage-return segment separators. */

/** Escapes the delimiter characters inside a data value (HL7 v2.4 section 2.7). */
export function escapeEr7(value: string): string {
  if (!/[|^~\\&]/.test(value)) return value;
  return value.replace(/[|^~\\&]/g, (c) => (c === '|' ? '\\F\\' : c === '^' ? '\\S\\' : c === '~' ? '\\R\\' : c === '\\' ? '\\E\\' : '\\T\\'));
}

/** Components of one field, each escaped, trailing empties trimmed. */
export function components(...parts: Array<string | undefined>): string {
  let last = parts.length - 1;
  while (last >= 0 && !parts[last]) last--;
  return parts
    .slice(0, last + 1)
    .map((p) => (p ? escapeEr7(p) : ''))
    .join('^');
}

/**
 * A segment from its fields by HL7 position (1-based); gaps become empty fields. Field values are already
 * encoded (use `components`), so repetitions (~) and components (^) pass through.
 */
export function segment(name: string, fields: Record<number, string | undefined>): string {
  const positions = Object.keys(fields)
    .map(Number)
    .filter((n) => fields[n]);
  const max = positions.length ? Math.max(...positions) : 0;
  const out: string[] = [name];
  for (let i = 1; i <= max; i++) out.push(fields[i] ?? '');
  return out.join('|');
}

export function message(segments: string[]): string {
  return `${segments.join('\r')}\r`;
}
