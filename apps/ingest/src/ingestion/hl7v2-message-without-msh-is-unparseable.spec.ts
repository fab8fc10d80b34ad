import type { ConsumedMessage } from '@continuum/messaging';
import { isRejection } from './inbound-envelope';
import { Hl7v2MessageTranslator } from './hl7v2-message.translator';

const message = (text: string): ConsumedMessage => ({
  topic: 'hl7v2.inbound',
  partition: 0,
  offset: '0',
  key: null,
  value: Buffer.from(text),
  headers: { 'source-system': 'RXX:PAS' },
  timestamp: '1700000000000',
});

describe('the HL7 v2 message id (MSH-10)', () => {
  const translator = new Hl7v2MessageTranslator();

  it('is read from the header segment', () => {
    expect(translator.messageIdOf(message('MSH|^~\\&|PAS|RCB|||20240101||ADT^A01|CTRL-1|P|2.4'))).toBe(
      'CTRL-1',
    );
  });

  it('cannot be read from a text without an MSH segment, which is refused as unparseable, not as a missing header', () => {
    const refused = translator.messageIdOf(message('this is not an HL7 message'));
    expect(typeof refused === 'object' && isRejection(refused) && refused).toMatchObject({
      code: 'hl7-unparseable',
      reason: 'not an HL7 v2 message: no MSH segment (at MSH)',
    });
  });
});
