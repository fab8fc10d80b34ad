import { components, escapeEr7, message, segment } from './er7';

describe('ER7 encoding', () => {
  it('escapes the delimiters inside data values', () => {
    expect(escapeEr7('Smith|Jones^&~\\')).toBe('Smith\\F\\Jones\\S\\\\T\\\\R\\\\E\\');
    expect(escapeEr7("O'Brien")).toBe("O'Brien");
  });

  it('builds components without trailing empties and segments by field position', () => {
    expect(components('9990000018', undefined, undefined, 'NHS', 'NH')).toBe('9990000018^^^NHS^NH');
    expect(components('A', undefined, undefined)).toBe('A');
    expect(segment('PV1', { 1: '1', 2: 'I', 19: 'V1' })).toBe('PV1|1|I|||||||||||||||||V1');
    expect(message(['MSH|^~\\&', 'PID|1'])).toBe('MSH|^~\\&\rPID|1\r');
  });
});
