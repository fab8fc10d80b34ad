// Letters that NFKD does not decompose into a base letter plus marks.
const SPECIAL_LETTERS: Record<string, string> = {
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  ø: 'o',
  Ø: 'o',
  đ: 'd',
  Đ: 'd',
  ð: 'd',
  Ð: 'd',
  þ: 'th',
  Þ: 'th',
  ł: 'l',
  Ł: 'l',
  ı: 'i',
  ħ: 'h',
  Ħ: 'h',
};
const SPECIAL_PATTERN = new RegExp(`[${Object.keys(SPECIAL_LETTERS).join('')}]`, 'g');

/**
 * Folds text for case- and accent-insensitive matching: NFKD, combining marks removed, special letters spelt out
 * (ß → ss, æ → ae, ø → o ...), lower case, runs of white space collapsed. "Zoë" and "ZOE" both fold to "zoe".
 * The same function feeds the Postgres index and (later) Elasticsearch, so both match alike.
 */
export function foldText(text: string): string {
  // Most values are plain ASCII: skip normalisation (the index folds millions of values).
  if (/^[\x20-\x7e]*$/.test(text)) return text.toLowerCase().replace(/\s+/g, ' ').trim();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(SPECIAL_PATTERN, (letter) => SPECIAL_LETTERS[letter] ?? letter)
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
