import type { ConsumedMessage } from '@continuum/messaging';
import { isRejection, readEnvelope } from './inbound-envelope';

const message = (headers: Record<string, string>): ConsumedMessage => ({
  topic: 't',
  partition: 0,
  offset: '0',
  key: null,
  value: null,
  headers,
  timestamp: '1700000000000',
});

describe('readEnvelope', () => {
  it('reads the source system, message id and Kafka timestamp', () => {
    expect(readEnvelope(message({ 'source-system': 'Y12345:EMIS-Web', 'message-id': 'm1' }))).toEqual({
      sourceSystem: 'Y12345:EMIS-Web',
      messageId: 'm1',
      receivedAt: new Date(1700000000000),
    });
  });

  it('takes the message id from the message itself when the topic allows it (HL7 MSH-10)', () => {
    const envelope = readEnvelope(message({ 'source-system': 'RXX:PAS' }), 'MSH10');
    expect(isRejection(envelope) ? undefined : envelope.messageId).toBe('MSH10');
  });

  it('names every missing or unusable header', () => {
    const refused = readEnvelope(message({ 'source-system': 'Some PAS with spaces' }));
    expect(isRejection(refused) && refused.code).toBe('missing-header');
    expect(isRejection(refused) && refused.reason).toMatch(/not of the form <ODS code>:<system name>/);
    expect(isRejection(refused) && refused.reason).toMatch(/'message-id' header is required/);
  });
});
