import { printableText, unsafeCharacterIn } from './text-safety';

describe('text safety: control characters and lone surrogates', () => {
  it('finds the first one, allowing tab, CR and LF unless told otherwise', () => {
    expect(unsafeCharacterIn('Smith, Jo é 😀\t\r\n')).toBeUndefined();
    expect(unsafeCharacterIn('a\u0000b')).toBe('control character U+0000');
    expect(unsafeCharacterIn('a\u007f')).toBe('control character U+007F');
    expect(unsafeCharacterIn('a\nb', { lineBreaks: false })).toBe('control character U+000A');
    expect(unsafeCharacterIn('a\ud800b')).toBe('lone surrogate U+D800 (not Unicode)');
    expect(unsafeCharacterIn('\udc00')).toBe('lone surrogate U+DC00 (not Unicode)');
  });

  it('makes text printable and bounded', () => {
    expect(printableText('a\u0000b\ud800c😀')).toBe('a\ufffdb\ufffdc😀');
    expect(printableText('abcdef', 3)).toBe('abc…');
  });
});
