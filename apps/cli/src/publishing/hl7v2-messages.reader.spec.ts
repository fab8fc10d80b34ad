import { splitMessages } from './hl7v2-messages.reader';

describe('splitMessages', () => {
  it('splits several messages and normalises CR, LF and CRLF to CR', () => {
    const text =
      'MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.4\r\nPID|1\nMSH|^~\\&|A|B|C|D|20240101||ADT^A08|2|P|2.4\rPID|2\r\n';
    expect(splitMessages(text)).toEqual([
      'MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.4\rPID|1',
      'MSH|^~\\&|A|B|C|D|20240101||ADT^A08|2|P|2.4\rPID|2',
    ]);
  });

  it('finds nothing in text without an MSH segment', () => {
    expect(splitMessages('PID|1\rPV1|1')).toEqual([]);
  });
});
