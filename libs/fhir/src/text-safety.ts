/**
 * Characters no FHIR string may hold and Postgres cannot store: C0 controls and DEL (FHIR strings allow only tab,
 * CR and LF among them; jsonb and text refuse NUL outright) and lone UTF-16 surrogates (not Unicode: jsonb refuses
 * them too). Found at the edge, they are a 400 naming the character instead of a database error.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_LINE = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The first control character or lone surrogate in `text`, described (`control character U+0000`, `lone surrogate
 * U+D800 (not Unicode)`). Tab, CR and LF are allowed unless `lineBreaks` is false (paths and parameters have no use
 * for them).
 */
export function unsafeCharacterIn(text: string, options: { lineBreaks?: boolean } = {}): string | undefined {
  const control = (options.lineBreaks === false ? CONTROL_OR_LINE : CONTROL).exec(text);
  const found = control ?? LONE_SURROGATE.exec(text);
  if (!found) return undefined;
  const code = `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return control ? `control character ${code}` : `lone surrogate ${code} (not Unicode)`;
}

/** `text` with every control character and lone surrogate replaced by U+FFFD, at most `max` characters long. */
export function printableText(text: string, max = 256): string {
  const clean = text.replace(new RegExp(`${CONTROL_OR_LINE.source}|${LONE_SURROGATE.source}`, 'g'), '\ufffd');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
